import { Worker } from 'node:worker_threads';

import type { CountryCode, PhoneParse } from '../domain/e164.js';
import { joinPhones, readPhoneAnswers } from './phone-answers.js';

/**
 * The compiled thread entry. Tests run herald's sources through jest, which a thread cannot load; they run after
 * `npm run build`, so the sources use the compiled module beside dist/src.
 */
function threadEntry(): URL {
  const url = new URL('./phone-check-thread.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(url.href.replace('/src/ingest/', '/dist/src/ingest/')) : url;
}

/**
 * Checks slices of phone numbers on a thread of their own. The thread answers in the order it was asked, so the
 * answers are matched to their slices by position; a thread that fails rejects every slice still waiting.
 */
export class PhoneChecker {
  readonly #worker: Worker;
  readonly #waiting: { resolve: (answers: PhoneParse[]) => void; reject: (error: Error) => void }[] = [];
  #failure: Error | undefined;

  constructor(defaultCountry: CountryCode | undefined) {
    this.#worker = new Worker(threadEntry(), { workerData: defaultCountry ?? null });
    this.#worker.on('message', (answers: string) => this.#waiting.shift()?.resolve(readPhoneAnswers(answers)));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the phone-check thread exited (code ${code})`)));
  }

  /** The numbers' checks, in the order given, as parsePhone answers them. */
  check(phones: readonly string[]): Promise<PhoneParse[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#worker.postMessage(joinPhones(phones));
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the phone checker is closed');
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#failure);
  }
}
