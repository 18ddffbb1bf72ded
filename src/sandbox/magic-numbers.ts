import { stripWhatsApp } from './address.js';
import { makeTwilioError, QUEUE_FULL_ERROR, type TwilioError } from './twilio-error.js';

/**
 * Twilio's test-credential magic numbers (https://www.twilio.com/docs/iam/test-credentials), answered with the same
 * codes so herald's error handling can be driven end to end. Unlike Twilio's test credentials, any other `From` is
 * accepted rather than refused with 21606: the sandbox stands in for a live account whose numbers herald does not know
 * in advance.
 */
const FROM_ERRORS: ReadonlyMap<string, (from: string) => TwilioError> = new Map([
  [
    '+15005550001',
    (from: string) =>
      makeTwilioError(
        21212,
        `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
      ),
  ],
  [
    '+15005550007',
    (from: string) =>
      makeTwilioError(
        21606,
        `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this ` +
          'destination.',
      ),
  ],
  ['+15005550008', () => QUEUE_FULL_ERROR],
]);

const TO_ERRORS: ReadonlyMap<string, (to: string) => TwilioError> = new Map([
  ['+15005550001', (to: string) => makeTwilioError(21211, `The 'To' number ${to} is not a valid phone number.`)],
  [
    '+15005550002',
    (to: string) => makeTwilioError(21612, `The 'To' phone number: ${to}, is not currently reachable via SMS.`),
  ],
  [
    '+15005550003',
    (to: string) =>
      makeTwilioError(
        21408,
        `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
      ),
  ],
  ['+15005550004', () => makeTwilioError(21610)],
  ['+15005550009', () => makeTwilioError(21614)],
]);

/**
 * The error a magic number forces, if any. The number is matched after stripping `whatsapp:` so that the
 * same table exercises WhatsApp sends; the message quotes the address as posted. `From` is checked first.
 */
export function findMagicNumberError(from: string | undefined, to: string): TwilioError | undefined {
  const fromRule = from === undefined ? undefined : FROM_ERRORS.get(stripWhatsApp(from));
  if (from !== undefined && fromRule !== undefined) return fromRule(from);
  const toRule = TO_ERRORS.get(stripWhatsApp(to));
  return toRule?.(to);
}
