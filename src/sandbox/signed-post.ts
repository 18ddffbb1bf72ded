import type { FormPoster } from './post-form.js';
import { signCallback } from './status-callback.js';

export interface SignedPostResult {
  /** The X-Twilio-Signature header sent. */
  signature: string;
  /** The receiver's HTTP status, or null when it could not be reached on either attempt. */
  status: number | null;
  /** Why it could not be reached, when status is null. */
  error?: string;
  attempts: 1 | 2;
}

/**
 * Posts a webhook form signed as Twilio signs it, retrying once when the connection fails, as Twilio does by default
 * (webhooks-connection-overrides). Used for status callbacks and for recipients' replies alike.
 */
export async function postSigned(
  poster: FormPoster,
  authToken: string,
  url: string,
  params: Record<string, string>,
  signal: AbortSignal,
): Promise<SignedPostResult> {
  const signature = signCallback(authToken, url, params);
  const headers = { 'X-Twilio-Signature': signature, 'User-Agent': 'TwilioProxy/1.1' };
  let lastError = '';
  for (const attempts of [1, 2] as const) {
    try {
      return { signature, status: await poster.post(url, params, headers, signal), attempts };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  return { signature, status: null, error: lastError, attempts: 2 };
}
