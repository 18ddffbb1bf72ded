import { Writable } from 'node:stream';

import { describe, expect, it } from '@jest/globals';

import { createLogger, describeError } from '../../../src/observe/logger.js';
import { makeRedactor, stripUserinfo } from '../../../src/observe/redact.js';

// A password with every character that URLs and JSON treat specially.
const PASSWORD = 'p/a@ss%w0rd:"q\\';

function captureLogger(secrets: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', name: 't', destination, secrets }), lines };
}

describe('redaction', () => {
  it('removes the user-info of URLs and keeps the rest', () => {
    expect(stripUserinfo('https://user:pa%40ss@hooks.example.com:8443/x?y=1')).toBe(
      'https://hooks.example.com:8443/x?y=1',
    );
    expect(stripUserinfo('redis://:secret@10.0.0.1:6379/2')).toBe('redis://10.0.0.1:6379/2');
    expect(stripUserinfo('https://api.twilio.com')).toBe('https://api.twilio.com');
    const redact = makeRedactor([]);
    expect(redact('cannot reach redis+cluster://u:p@ss@a:1,b:2 and https://x:y@h/p')).toBe(
      'cannot reach redis+cluster://[redacted]@a:1,b:2 and https://[redacted]@h/p',
    );
  });

  it('finds a secret as written, percent-encoded, form-encoded and inside a JSON string', () => {
    const redact = makeRedactor([PASSWORD]);
    for (const form of [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      new URLSearchParams({ a: PASSWORD }).toString().slice(2),
      JSON.stringify(PASSWORD).slice(1, -1),
    ]) {
      expect(redact(`before ${form} after`)).toBe('before [redacted] after');
    }
    // Too short to hunt for: it would mangle every line.
    expect(makeRedactor(['ab'])('tab')).toBe('tab');
  });

  it('keeps a password out of every log line, whatever field or message carries it', () => {
    const { logger, lines } = captureLogger([PASSWORD]);
    const error = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      command: { name: 'hello', args: ['3', 'AUTH', 'herald', PASSWORD] },
    });
    logger.warn({ err: error }, 'raw error object');
    logger.warn({ err: describeError(error) }, 'described');
    logger.info({ url: `redis://herald:${encodeURIComponent(PASSWORD)}@h:1` }, `message with ${PASSWORD}`);
    logger.info({ nested: { anything: [PASSWORD] } }, 'nested');
    const text = lines.join('');
    expect(lines).toHaveLength(4);
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), JSON.stringify(PASSWORD).slice(1, -1), 'p/a@ss']) {
      expect(text).not.toContain(form);
    }
    expect(text).toContain('WRONGPASS invalid username-password pair');
  });
});
