import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Posts forms to webhook receivers over pooled connections that close() releases. */
export interface FormPoster {
  /** The receiver's HTTP status; rejects when there is no answer (refused, reset, timeout, aborted). */
  post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<number>;
  close(): void;
}

/** `timeoutMs` bounds each attempt, like Twilio's read timeout for webhooks (15 s by default). */
export function makeFormPoster(timeoutMs: number): FormPoster {
  // Own agents rather than the global ones, so closing the sandbox leaves no idle socket behind.
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return {
    post: (url, form, headers, signal) =>
      new Promise<number>((resolve, reject) => {
        const body = new URLSearchParams(form).toString();
        const target = new URL(url);
        const secure = target.protocol === 'https:';
        const options = {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          signal,
          timeout: timeoutMs,
          headers: {
            ...headers,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': Buffer.byteLength(body),
          },
        };
        const onResponse = (response: IncomingMessage): void => {
          response.resume();
          response.once('end', () => resolve(response.statusCode ?? 0));
          response.once('error', reject);
        };
        const request: ClientRequest = secure
          ? httpsRequest(target, options, onResponse)
          : httpRequest(target, options, onResponse);
        request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        request.once('error', reject);
        request.end(body);
      }),
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
