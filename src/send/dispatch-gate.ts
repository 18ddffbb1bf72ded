import { AsyncLocalStorage } from 'node:async_hooks';

/** Something to wait for right before an API request leaves, e.g. the sender's dispatch guard. */
export type DispatchGate = () => Promise<void>;

const gates = new AsyncLocalStorage<DispatchGate>();

/**
 * Runs `send` (an SDK call) so that herald's transport waits for `gate` at the last moment before the request is
 * written: after the SDK has built it, so time the SDK spends (more on a process's first call) cannot put a request
 * on the wire sooner after the previous one than the gate allows.
 */
export function sendThroughGate<T>(gate: DispatchGate, send: () => Promise<T>): Promise<T> {
  return gates.run(gate, send);
}

/** The gate of the send in whose context the transport is called, if any. */
export function currentGate(): DispatchGate | undefined {
  return gates.getStore();
}
