/** One message as the receiving end saw it: when it arrived and what it cost its sender (SMS segments, else 1). */
export interface Arrival {
  at: number;
  cost: number;
}

/**
 * Cost per second from the first arrival to the last, counting every arrival but the first: n sends spaced s apart
 * take (n − 1) × s, so this is the rate the sender was held to, whatever the length of the run.
 */
export function achievedRate(arrivals: readonly Arrival[]): number {
  if (arrivals.length < 2) return 0;
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  const seconds = (sorted.at(-1)!.at - sorted[0]!.at) / 1000;
  const cost = sorted.slice(1).reduce((sum, arrival) => sum + arrival.cost, 0);
  return seconds > 0 ? cost / seconds : Number.POSITIVE_INFINITY;
}
