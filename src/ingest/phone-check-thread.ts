import { parentPort, workerData } from 'node:worker_threads';

import { type CountryCode, isCountryCode } from '../domain/e164.js';
import { checkJoinedPhones } from './phone-answers.js';

/**
 * The entry of the ingest's phone-check thread (phone-checker.ts): libphonenumber's validation is the largest part
 * of a row's CPU, so it runs here while the main thread parses and queues. workerData: the campaign's default
 * country or null. Each message is one slice's joined phone column; each reply its joined answers, in order.
 */
const given: unknown = workerData;
const defaultCountry: CountryCode | undefined = typeof given === 'string' && isCountryCode(given) ? given : undefined;
parentPort?.on('message', (joined: string) => parentPort?.postMessage(checkJoinedPhones(joined, defaultCountry)));
