import { describe, expect, it } from '@jest/globals';
import { decideFault, FaultInjector, injectFaults } from '../../../src/sandbox/fault-injection.js';
import type { ApiRequest, Handler } from '../../../src/sandbox/pipeline.js';
import { makeRandom } from '../../../src/sandbox/random.js';
import { matchRoute } from '../../../src/sandbox/route.js';

const AC = `AC${'1'.repeat(32)}`;
const settings = { rate429: 0.1, rate500: 0.2, rate503: 0.3, acceptThenDrop: 0.5 };

describe('decideFault', () => {
  it.each([
    [0, '429'],
    [0.0999, '429'],
    [0.1001, '500'],
    [0.2999, '500'],
    [0.3001, '503'],
    [0.5999, '503'],
    [0.6001, undefined],
    [0.9999, undefined],
  ])('a refusal draw of %f gives %s', (draw, refuse) => {
    expect(decideFault(settings, draw, 0.9).refuse).toBe(refuse);
  });

  it.each([
    [0.4999, true],
    [0.5, false],
  ])('a drop draw of %f drops: %s', (draw, dropIfAccepted) => {
    expect(decideFault(settings, 0.9, draw).dropIfAccepted).toBe(dropIfAccepted);
  });

  it('does nothing with no settings', () => {
    expect(decideFault({}, 0, 0)).toEqual({ refuse: undefined, dropIfAccepted: false });
  });
});

describe('FaultInjector', () => {
  it('draws two numbers per request from the seeded stream', () => {
    const injector = new FaultInjector({ ...settings, seed: 9 });
    const random = makeRandom(9);
    for (let index = 0; index < 100; index += 1) {
      expect(injector.decide()).toEqual(decideFault(settings, random(), random()));
    }
  });

  it('restarts the sequence when given a seed and carries on without one', () => {
    const injector = new FaultInjector({ rate429: 0.5, seed: 1 });
    const first = Array.from({ length: 20 }, () => injector.decide());
    injector.set({ rate429: 0.5, seed: 1 });
    expect(Array.from({ length: 20 }, () => injector.decide())).toEqual(first);
    injector.set({ rate429: 0.5 });
    expect(injector.settings).toEqual({ rate429: 0.5 });
    const random = makeRandom(1);
    // The restarted sequence has used 40 draws (20 decisions).
    for (let index = 0; index < 40; index += 1) random();
    expect(injector.decide()).toEqual(decideFault({ rate429: 0.5 }, random(), random()));
  });

  it('refuses bad settings and keeps the old ones', () => {
    const injector = new FaultInjector({ rate500: 0.1 });
    expect(() => injector.set({ rate500: 2 })).toThrow(new RangeError('faults.rate500 must be a share from 0 to 1'));
    expect(injector.settings).toEqual({ rate500: 0.1 });
  });
});

describe('injectFaults', () => {
  const request = (method: string, path: string): ApiRequest => ({
    method,
    url: new URL(path, 'http://sandbox.invalid'),
    route: matchRoute(path),
    headers: {},
    params: {},
    text: '',
    remoteAddress: '127.0.0.1',
    receivedAt: 0,
  });
  const create = request('POST', `/2010-04-01/Accounts/${AC}/Messages.json`);
  let calls = 0;
  const accept: Handler = async () => {
    calls += 1;
    return { status: 201, json: {}, sid: 'SM1' };
  };

  it('answers an injected 429 without processing, with Retry-After when configured', async () => {
    calls = 0;
    const step = injectFaults(new FaultInjector({ rate429: 1, retryAfterSeconds: 3 }));
    expect(await step(create, accept)).toEqual({
      status: 429,
      json: {
        code: 20429,
        message: 'Too Many Requests',
        more_info: 'https://www.twilio.com/docs/errors/20429',
        status: 429,
      },
      errorCode: 20429,
      headers: { 'Retry-After': '3' },
      fault: '429',
    });
    expect(calls).toBe(0);
  });

  it.each([
    ['rate500', 500, 20500],
    ['rate503', 503, 20503],
  ])('answers %s with a Twilio-shaped %i and no Retry-After', async (key, status, code) => {
    const step = injectFaults(new FaultInjector({ [key]: 1, retryAfterSeconds: 3 }));
    expect(await step(create, accept)).toMatchObject({ status, errorCode: code, headers: {}, json: { code, status } });
  });

  it('cuts the connection after an accepted create, and only after one', async () => {
    calls = 0;
    const step = injectFaults(new FaultInjector({ acceptThenDrop: 1 }));
    expect(await step(create, accept)).toMatchObject({ status: 201, sid: 'SM1', abort: true, fault: 'drop' });
    expect(calls).toBe(1);
    const refused: Handler = async () => ({ status: 400, errorCode: 21211 });
    expect(await step(create, refused)).toEqual({ status: 400, errorCode: 21211 });
  });

  it('leaves lists and fetches alone', async () => {
    const step = injectFaults(new FaultInjector({ rate429: 1 }));
    const list = request('GET', `/2010-04-01/Accounts/${AC}/Messages.json`);
    expect(await step(list, accept)).toMatchObject({ status: 201 });
  });

  it('refuses list requests with a 503 when listErrors is set, without touching creates', async () => {
    calls = 0;
    const step = injectFaults(new FaultInjector({ listErrors: 1 }));
    const list = request('GET', `/2010-04-01/Accounts/${AC}/Messages.json`);
    expect(await step(list, accept)).toMatchObject({ status: 503, errorCode: 20503 });
    expect(calls).toBe(0);
    expect(await step(create, accept)).toMatchObject({ status: 201 });
  });
});
