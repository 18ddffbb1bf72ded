/**
 * Gathers the single lookups asked during one turn of the event loop into one bulk lookup, made once that turn's
 * I/O callbacks have run (setImmediate): the jobs a worker has in flight then cost Redis one command per turn, not
 * one each. `lookup` answers for its keys in their order; a failure fails every ask of its batch.
 */
export function tickBatch<K, V>(lookup: (keys: readonly K[]) => Promise<readonly V[]>): (key: K) => Promise<V> {
  const ask = tickBatchBy((_group: undefined, keys: readonly K[]) => lookup(keys));
  return (key) => ask(undefined, key);
}

/** As tickBatch, with one batch per group (e.g. per campaign, whose keys share one Redis Cluster slot). */
export function tickBatchBy<G, K, V>(
  lookup: (group: G, keys: readonly K[]) => Promise<readonly V[]>,
): (group: G, key: K) => Promise<V> {
  const batches = new Map<G, { keys: K[]; answers: Promise<readonly V[]> }>();
  return (group, key) => {
    let batch = batches.get(group);
    if (batch === undefined) {
      const keys: K[] = [];
      const answers = new Promise<readonly V[]>((resolve, reject) =>
        setImmediate(() => {
          batches.delete(group);
          lookup(group, keys).then(resolve, reject);
        }),
      );
      batch = { keys, answers };
      batches.set(group, batch);
    }
    const index = batch.keys.push(key) - 1;
    return batch.answers.then((answers) => {
      if (index >= answers.length) throw new Error(`a batched lookup answered ${answers.length} of ${index + 1} keys`);
      return answers[index] as V;
    });
  };
}
