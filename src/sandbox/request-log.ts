import { BoundedLog } from './bounded-log.js';
import type { FaultKind } from './fault-settings.js';
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
  /** The fault injected, when one was (a drop still has its SID: the message was created). */
  fault?: FaultKind;
}

/**
 * Bound on kept requests, so that a long benchmark cannot exhaust memory: 2,000,000 requests (a few hundred
 * bytes each) covers any single run herald's benchmarks make; past it the oldest tenth is dropped.
 */
export const MAX_LOGGED_REQUESTS = 2_000_000;

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
