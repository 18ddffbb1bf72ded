import { setTimeout as sleep } from 'node:timers/promises';

/** What a test waits for, and for how long: a wait that times out names what it waited for and what it saw last. */
export interface WaitOptions {
  /** In words, as the error on timeout reads: "timed out after 20000 ms waiting for <what>". */
  what: string;
  /** @defaultValue 20_000 */
  timeout?: number;
  /** How often a condition is checked, in ms. @defaultValue 20 */
  every?: number;
  /** Called on timeout; what it returns is added to the error (the counts seen last, say). */
  detail?: () => unknown;
}

/**
 * Anything with `on(event, listener)` (SendEvents, a Node EventEmitter), and `off` when it can stop listening. The
 * parameters are `never` so that any emitter's own typing of them fits; `where` says what the arguments are.
 */
interface Emitter {
  on(event: never, listener: never): unknown;
  off?(event: never, listener: never): unknown;
}

/** An emitter's event, optionally only one whose arguments pass `where`. */
export interface AwaitedEvent<A extends unknown[]> {
  emitter: Emitter;
  event: string;
  where?: (...args: A) => boolean;
}

/** What a condition resolves to once it holds (any value but false, 0, '', null or undefined). */
type Held<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Waits for a condition (polled every `every` ms until it returns a truthy value, which is returned) or for an
 * event (its arguments are returned). A wait that times out throws an error naming `what`.
 */
export function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions): Promise<Held<T>>;
export function waitFor<A extends unknown[]>(event: AwaitedEvent<A>, options: WaitOptions): Promise<A>;
export function waitFor(awaited: (() => unknown) | AwaitedEvent<unknown[]>, options: WaitOptions): Promise<unknown> {
  return typeof awaited === 'function' ? pollUntil(awaited, options) : nextEvent(awaited, options);
}

async function pollUntil(condition: () => unknown, options: WaitOptions): Promise<unknown> {
  const timeout = options.timeout ?? 20_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) throw await timedOut(options, timeout);
    await sleep(options.every ?? 20);
  }
}

function nextEvent(awaited: AwaitedEvent<unknown[]>, options: WaitOptions): Promise<unknown[]> {
  const timeout = options.timeout ?? 20_000;
  // The emitter's own signature is unknown here (see Emitter); the event and `where` are the caller's to match.
  const emitter = awaited.emitter as {
    on(event: string, listener: (...args: unknown[]) => void): unknown;
    off?(event: string, listener: (...args: unknown[]) => void): unknown;
  };
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (awaited.where !== undefined && !awaited.where(...args)) return;
      clearTimeout(timer);
      emitter.off?.(awaited.event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off?.(awaited.event, listener);
      timedOut(options, timeout).then(reject, reject);
    }, timeout);
    emitter.on(awaited.event, listener);
  });
}

async function timedOut(options: WaitOptions, timeout: number): Promise<Error> {
  let detail = '';
  if (options.detail !== undefined) {
    const seen = await Promise.resolve()
      .then(options.detail)
      .catch((error: unknown) => `(could not say: ${String(error)})`);
    detail = `; last seen: ${typeof seen === 'string' ? seen : JSON.stringify(seen)}`;
  }
  return new Error(`timed out after ${timeout} ms waiting for ${options.what}${detail}`);
}
