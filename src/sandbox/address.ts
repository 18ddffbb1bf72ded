/**
 * Address shapes as Twilio checks them on create. Twilio validates the shape of `To`/`From`, not whether a
 * number is assigned (that shows up later as a delivery error), so a plain E.164 pattern is the faithful rule
 * here rather than libphonenumber's validity check in src/domain/e164.ts.
 */
const E164 = /^\+[1-9]\d{1,14}$/;
const SHORT_CODE = /^\d{5,6}$/;
// Twilio's alphanumeric sender ID: up to 11 of A–Z, a–z, 0–9 and space, with at least one letter.
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const WHATSAPP_PREFIX = 'whatsapp:';

export function isWhatsApp(address: string): boolean {
  return address.startsWith(WHATSAPP_PREFIX);
}

export function stripWhatsApp(address: string): string {
  return isWhatsApp(address) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

/** `To`: E.164 or `whatsapp:`+E.164. */
export function isValidRecipient(address: string): boolean {
  return E164.test(stripWhatsApp(address));
}

/**
 * `From`: E.164 or `whatsapp:`+E.164, and for SMS also a short code or an alphanumeric sender ID, which
 * Twilio accepts and herald's senders include (src/domain/sender.ts).
 */
export function isValidSender(address: string): boolean {
  if (isWhatsApp(address)) return E164.test(stripWhatsApp(address));
  return E164.test(address) || SHORT_CODE.test(address) || ALPHANUMERIC_SENDER.test(address);
}
