/**
 * Runs the two sides of one paired run, `herald` first on odd runs and `baseline` first on even ones. The host's
 * speed drifts over minutes (a shared machine); a side that always went first would always meet the drift at the same
 * point of the pair, and the ratio would lean one way however many runs were taken.
 */
export async function inTurns<H, B>(
  run: number,
  herald: () => Promise<H>,
  baseline: () => Promise<B>,
): Promise<[H, B]> {
  if (run % 2 === 1) {
    const first = await herald();
    return [first, await baseline()];
  }
  const first = await baseline();
  return [await herald(), first];
}
