import { BoundedLog } from './bounded-log.js';
import type { FormParams } from './form.js';

/** One create request received, accepted or not. Holds no credentials: only the account SID from the path. */
export interface SandboxRequest {
  /** ms since epoch, fractional (performance.timeOrigin + performance.now()). */
  receivedAt: number;
  accountSid: string;
  /** As posted (To, From, MessagingServiceSid, Body, MediaUrl[], ContentSid, ContentVariables, StatusCallback, ...). */
  params: FormParams;
  /** HTTP status answered. */
  status: number;
  /** When 201. */
  sid?: string;
  /** When an error. */
  errorCode?: number;
}

/**
 * Bound on kept requests, so that a long benchmark cannot exhaust memory: 2,000,000 requests (a few hundred
 * bytes each) covers any single run herald's benchmarks make; past it the oldest tenth is dropped.
 */
export const MAX_LOGGED_REQUESTS = 2_000_000;

/** Items per chunk when streaming the log, so a log of millions never becomes one giant string. */
const CHUNK_SIZE = 1000;

export class RequestLog {
  readonly #log: BoundedLog<SandboxRequest>;

  constructor(capacity: number = MAX_LOGGED_REQUESTS) {
    this.#log = new BoundedLog<SandboxRequest>(capacity);
  }

  record(request: SandboxRequest): void {
    this.#log.push(request);
  }

  /** A copy, oldest first, that later requests do not change. */
  snapshot(): readonly SandboxRequest[] {
    return this.#log.items().slice();
  }

  clear(): void {
    this.#log.clear();
  }
}

/** `{"requests":[…]}` as a sequence of JSON text chunks. */
export function* serialiseRequests(requests: readonly SandboxRequest[]): Generator<string> {
  yield '{"requests":[';
  for (let index = 0; index < requests.length; index += CHUNK_SIZE) {
    const chunk = requests.slice(index, index + CHUNK_SIZE).map((request) => JSON.stringify(request));
    yield (index === 0 ? '' : ',') + chunk.join(',');
  }
  yield ']}';
}
