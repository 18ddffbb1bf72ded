/**
 * Gathers the single lookups asked during one turn of the event loop into one bulk lookup, made once that turn's
 * I/O callbacks have run (setImmediate): the jobs a worker has in flight then cost Redis one command per turn, not
 * one each. `lookup` answers for its keys in their order; a failure fails every ask of its batch.
 */
export function tickBatch<K, V>(lookup: (keys: readonly K[]) => Promise<readonly V[]>): (key: K) => Promise<V> {
  let batch: { keys: K[]; answers: Promise<readonly V[]> } | undefined;
  return (key) => {
    if (batch === undefined) {
      const keys: K[] = [];
      const answers = new Promise<readonly V[]>((resolve, reject) =>
        setImmediate(() => {
          batch = undefined;
          lookup(keys).then(resolve, reject);
        }),
      );
      batch = { keys, answers };
    }
    const index = batch.keys.push(key) - 1;
    return batch.answers.then((answers) => {
      if (index >= answers.length) throw new Error(`a batched lookup answered ${answers.length} of ${index + 1} keys`);
      return answers[index] as V;
    });
  };
}
