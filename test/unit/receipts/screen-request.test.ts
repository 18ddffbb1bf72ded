import { describe, expect, it } from '@jest/globals';

import { MAX_BODY_BYTES, screenRequest } from '../../../src/receipts/screen-request.js';

const path = '/twilio/campaigns/spring-1/status';
const good = {
  method: 'POST',
  url: path,
  headers: {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'content-length': '300',
    'x-twilio-signature': `${'a'.repeat(27)}=`,
  },
};

describe('screenRequest', () => {
  it('lets a signed form POST to a campaign’s callback path through', () => {
    expect(screenRequest(good)).toEqual({
      ok: true,
      target: { kind: 'status', campaign: 'spring-1' },
      signature: `${'a'.repeat(27)}=`,
    });
    expect(screenRequest({ ...good, url: `/prefix${path}?tenant=7` })).toMatchObject({ ok: true });
    const { 'content-length': _, ...chunked } = good.headers;
    expect(screenRequest({ ...good, headers: chunked })).toMatchObject({ ok: true });
  });

  it('lets a signed form POST to the replies path through, behind a prefix too', () => {
    expect(screenRequest({ ...good, url: '/twilio/replies' })).toMatchObject({ ok: true, target: { kind: 'reply' } });
    expect(screenRequest({ ...good, url: '/herald/twilio/replies?tenant=7' })).toMatchObject({
      ok: true,
      target: { kind: 'reply' },
    });
  });

  it.each([
    ['not-found', { url: '/twilio/status/spring-1' }, 404],
    ['not-found', { url: '/twilio/replies/x' }, 404],
    ['unsigned', { url: '/twilio/replies', headers: { ...good.headers, 'x-twilio-signature': undefined } }, 403],
    ['not-found', { url: '/twilio/campaigns/../status' }, 404],
    ['method', { method: 'GET' }, 405],
    ['media-type', { headers: { ...good.headers, 'content-type': 'application/json' } }, 415],
    ['too-large', { headers: { ...good.headers, 'content-length': String(MAX_BODY_BYTES + 1) } }, 413],
    ['too-large', { headers: { ...good.headers, 'content-length': '1e9' } }, 413],
    ['unsigned', { headers: { ...good.headers, 'x-twilio-signature': undefined } }, 403],
    ['unsigned', { headers: { ...good.headers, 'x-twilio-signature': 'Zm9yZ2Vk' } }, 403],
  ])('refuses with %s: %j', (reason, change, status) => {
    expect(screenRequest({ ...good, ...change })).toMatchObject({ ok: false, reason, status });
  });
});
