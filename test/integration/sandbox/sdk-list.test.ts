import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message.js';
import { createTwilioClient, type TwilioClient } from '../../../src/send/twilio-client.js';
import { type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import { listSchemaViolations } from '../../fixtures/sandbox/message-schema.js';

const ACCOUNT_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'list-token-91b2';
const TO_A = '+14155550111';
const TO_B = '+14155550122';
const FROM_1 = '+14155550001';
const FROM_2 = '+14155550002';
const COUNT = 120;
const HOUR = 3_600_000;

let sandbox: Sandbox;
let client: TwilioClient;
/** Oldest first, as created (the create answers: queued, no date_sent yet). */
let created: MessageInstance[] = [];
/** The same messages as listed once they have left their queue: sent, with a date_sent. */
let sent: MessageInstance[] = [];

const sidsOf = (messages: readonly MessageInstance[]): string[] => messages.map((message) => message.sid);
const newestFirst = (messages: readonly MessageInstance[]): string[] => sidsOf(messages).reverse();

beforeAll(async () => {
  // Simulated delivery, so that a message leaves its queue (and gets its date_sent) straight after it is created.
  sandbox = await startSandbox({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    callbacks: { sentDelayMs: { min: 0, max: 0 }, deliveredDelayMs: { min: HOUR, max: HOUR } },
  });
  client = createTwilioClient({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    maxSockets: 2,
  });
  created = [];
  // One at a time, so creation order (and so list order) is known.
  for (let index = 0; index < COUNT; index += 1) {
    created.push(
      await client.messages.create({
        to: index % 3 === 0 ? TO_A : TO_B,
        from: index < COUNT / 2 ? FROM_1 : FROM_2,
        body: `message ${index}`,
      }),
    );
  }
  sent = (await client.messages.list({ pageSize: 1000 })).reverse();
});

afterAll(async () => {
  await sandbox.close();
});

describe('list through the real SDK', () => {
  it('pages through all 120 messages, newest first, 50 at a time', async () => {
    const listed = await client.messages.list({ pageSize: 50 });
    expect(sidsOf(listed)).toEqual(newestFirst(created));
  });

  it('links pages forward and back with page tokens', async () => {
    const first = await client.messages.page({ pageSize: 50 });
    expect(first.instances).toHaveLength(50);
    expect(first.previousPageUrl).toBeUndefined();
    expect(first.nextPageUrl).toContain('PageToken=PA');
    const second = await first.nextPage();
    const third = await second?.nextPage();
    expect(sidsOf(second?.instances ?? [])).toEqual(newestFirst(created).slice(50, 100));
    expect(sidsOf(third?.instances ?? [])).toEqual(newestFirst(created).slice(100, 120));
    expect(third?.nextPageUrl).toBeUndefined();
    const back = await third?.previousPage();
    expect(sidsOf(back?.instances ?? [])).toEqual(newestFirst(created).slice(50, 100));
  });

  it('filters by To and by From, across pages', async () => {
    const toA = await client.messages.list({ to: TO_A, pageSize: 15 });
    expect(sidsOf(toA)).toEqual(newestFirst(created.filter((message) => message.to === TO_A)));
    expect(toA).toHaveLength(40);
    const fromTwoToB = await client.messages.list({ from: FROM_2, to: TO_B, pageSize: 10 });
    const expected = created.filter((message) => message.from === FROM_2 && message.to === TO_B);
    expect(sidsOf(fromTwoToB)).toEqual(newestFirst(expected));
  });

  it('stops at the limit', async () => {
    const limited = await client.messages.list({ to: TO_B, limit: 25, pageSize: 10 });
    expect(sidsOf(limited)).toEqual(newestFirst(created.filter((message) => message.to === TO_B)).slice(0, 25));
  });

  it('streams every message with each()', async () => {
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.messages.each({
        pageSize: 50,
        callback: (message) => {
          seen.push(message.sid);
        },
        done: (error?: Error) => (error === undefined ? resolve() : reject(error)),
      });
    });
    expect(seen).toEqual(newestFirst(created));
  });

  it('has no date_sent while a message is queued, and the time it left once sent', () => {
    expect(created.every((message) => message.status === 'queued' && message.dateSent === null)).toBe(true);
    expect(sidsOf(sent)).toEqual(sidsOf(created));
    for (const [index, message] of sent.entries()) {
      expect(message.status).toBe('sent');
      const createdAt = created[index]!.dateCreated.getTime();
      expect(message.dateSent.getTime()).toBeGreaterThanOrEqual(createdAt);
      expect(message.dateSent.getTime() - createdAt).toBeLessThan(2000);
    }
  });

  it('filters by DateSent as the SDK serialises dates', async () => {
    const day = (date: Date): string => date.toISOString().slice(0, 10);
    const anchor = sent[0]?.dateSent ?? new Date(0);
    const sameDay = sent.filter((message) => day(message.dateSent) === day(anchor));
    expect(sameDay.length).toBeGreaterThan(0);
    expect(sidsOf(await client.messages.list({ dateSent: anchor, pageSize: 100 }))).toEqual(newestFirst(sameDay));

    const hourAgo = new Date(Date.now() - HOUR);
    const inAnHour = new Date(Date.now() + HOUR);
    expect(await client.messages.list({ dateSentBefore: hourAgo })).toEqual([]);
    expect(await client.messages.list({ dateSentAfter: inAnHour })).toEqual([]);
    const window = await client.messages.list({ dateSentAfter: hourAgo, dateSentBefore: inAnHour, pageSize: 1000 });
    expect(sidsOf(window)).toEqual(newestFirst(created));
  });

  it('filters by DateSent given as YYYY-MM-DD, as in curl examples', async () => {
    const today = (sent[0]?.dateSent ?? new Date(0)).toISOString().slice(0, 10);
    const query = `DateSent>=${today}&To=${encodeURIComponent(TO_A)}&PageSize=5`;
    const url = `${sandbox.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?${query}`;
    const response = await fetch(url, { headers: { Authorization: basic() } });
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      messages: Array<Record<string, unknown>>;
      next_page_uri: string;
      page_size: number;
    };
    expect(page.page_size).toBe(5);
    expect(page.messages.map((message) => message.sid)).toEqual(
      newestFirst(created.filter((message) => message.to === TO_A)).slice(0, 5),
    );
    for (const message of page.messages) expect(listSchemaViolations(message)).toEqual([]);
    expect(page.next_page_uri).toContain('DateSent%3E=');
  });
});

describe('fetch through the real SDK', () => {
  it('fetches a message by SID', async () => {
    const original = sent[7];
    if (original === undefined) throw new Error('no messages created');
    const fetched = await client.messages(original.sid).fetch();
    expect(fetched.toJSON()).toEqual(original.toJSON());
  });

  it('answers 20404 for an unknown SID', async () => {
    const error = await client
      .messages(`SM${'0'.repeat(32)}`)
      .fetch()
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 404, code: 20404 });
  });
});

function basic(): string {
  return `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
}
