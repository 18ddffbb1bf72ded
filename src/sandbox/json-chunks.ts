/** Items per chunk when streaming a list, so a list of millions never becomes one giant string. */
const CHUNK_SIZE = 1000;

/** `{"<name>":[…]}` as a sequence of JSON text chunks. */
export function* serialiseList(name: string, items: readonly unknown[]): Generator<string> {
  yield `{${JSON.stringify(name)}:[`;
  yield* serialiseItems(items);
  yield ']}';
}

/** The items of a JSON array, comma-separated, in chunks (without the brackets). */
export function* serialiseItems(items: readonly unknown[]): Generator<string> {
  for (let index = 0; index < items.length; index += CHUNK_SIZE) {
    const chunk = items.slice(index, index + CHUNK_SIZE).map((item) => JSON.stringify(item));
    yield (index === 0 ? '' : ',') + chunk.join(',');
  }
}
