/**
 * Where the errors of a Redis connection go, and of every BullMQ Queue, Worker and QueueEvents built on it. A BullMQ
 * object with no `error` listener prints each error it meets to stderr, raw: an ioredis error after a failed login
 * carries the AUTH command's arguments, password included. So every one of them gets a listener (forwardErrors),
 * which hands the error to the sink chosen when the connection was made (RedisOptions.onError), once: the same error
 * object reaches the connection's own listener and every Queue sharing it.
 */

export type ConnectionErrorSink = (error: Error) => void;

/** What forwardErrors needs of a Queue, Worker or QueueEvents. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const sinks = new WeakMap<object, ConnectionErrorSink>();
const reported = new WeakSet<Error>();

/** Sends the connection's errors to `sink` from now on; without one they are dropped (see forwardErrors). */
export function routeConnectionErrors(connection: object, sink: ConnectionErrorSink | undefined): void {
  if (sink === undefined) sinks.delete(connection);
  else sinks.set(connection, sink);
}

/** Hands one error to the connection's sink, unless it was already handed over. */
export function reportConnectionError(connection: object, error: Error): void {
  if (reported.has(error)) return;
  reported.add(error);
  sinks.get(connection)?.(error);
}

/**
 * Gives a BullMQ object built on `connection` an `error` listener that reports to the connection's sink, and
 * returns it. A connection without a sink (a CLI command's) drops them: the command whose call failed says why.
 */
export function forwardErrors<E extends ErrorEmitter>(emitter: E, connection: object): E {
  emitter.on('error', (error: Error) => reportConnectionError(connection, error));
  return emitter;
}
