/** `1 row`, `2 rows`; `many` for words whose plural is not the word and an s. Pure. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
