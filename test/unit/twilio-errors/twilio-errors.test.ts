import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { UNDELIVERED_CODES } from '../../../src/sandbox/callback-settings.js';
import { CREATE_ERRORS } from '../../../src/twilio-errors/create-errors.js';
import { REASON_CLASSES } from '../../../src/twilio-errors/error-entry.js';
import { RECEIPT_ERRORS } from '../../../src/twilio-errors/receipt-errors.js';
import { describeCode, TWILIO_ERRORS, twilioErrorOf } from '../../../src/twilio-errors/twilio-errors.js';

const ROOT = new URL('../../../', import.meta.url);
const SANDBOX = new URL('src/sandbox/', ROOT);
/** Twilio's error codes named for sending messages (where they were found: the fixture's `_source`). */
const NAMED_CODES = (
  JSON.parse(readFileSync(new URL('test/fixtures/twilio-errors/named-codes.json', ROOT), 'utf8')) as { codes: number[] }
).codes;

const known = (code: number) => twilioErrorOf(code) !== undefined;

/**
 * Every code the sandbox can answer with: the first argument of each `makeTwilioError(…)` or `fail(…)` call in its
 * source, wherever the call is split over lines. The type of that argument already admits only the table's codes;
 * this reads the source so that a cast cannot slip one past.
 */
function readSandboxCodes(): Set<number> {
  const codes = new Set<number>();
  for (const file of readdirSync(SANDBOX).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, SANDBOX), 'utf8');
    for (const match of source.matchAll(/\b(?:makeTwilioError|fail)\(\s*(\d+)\b/g)) codes.add(Number(match[1]));
  }
  return codes;
}

describe('the table of Twilio’s errors', () => {
  it('holds every code the sandbox can answer with', () => {
    const codes = readSandboxCodes();
    // What the scan must at least find, so that a change in how the sandbox is written cannot empty it unnoticed.
    for (const code of [20003, 20429, 20500, 21211, 21610, 21611, 21617, 63038]) expect(codes).toContain(code);
    expect([...codes].filter((code) => !known(code))).toEqual([]);
  });

  it('holds every error code a delivery receipt from the sandbox can carry', () => {
    expect(UNDELIVERED_CODES.filter((code) => !(code in RECEIPT_ERRORS))).toEqual([]);
  });

  it('holds every error code Twilio names for sending messages', () => {
    for (const code of [21610, 30022, 30023, 30027, 30034, 63016, 63018, 63038]) expect(NAMED_CODES).toContain(code);
    expect(NAMED_CODES.filter((code) => !known(code))).toEqual([]);
  });

  it('lists each code once, either as an answer to a send or on a receipt', () => {
    expect(Object.keys(CREATE_ERRORS).filter((code) => code in RECEIPT_ERRORS)).toEqual([]);
    expect(Object.keys(TWILIO_ERRORS)).toHaveLength(
      Object.keys(CREATE_ERRORS).length + Object.keys(RECEIPT_ERRORS).length,
    );
  });

  it.each(Object.entries(TWILIO_ERRORS))('%s is complete and consistent', (code, entry) => {
    expect(code).toMatch(/^[1-9]\d{4}$/);
    expect(REASON_CLASSES).toContain(entry.class);
    for (const text of [entry.title, entry.reason, entry.why]) expect(text.trim()).not.toBe('');
    // A wait cures what only asked to wait; what blames the recipient, the content or the setup is not cured by it.
    if (['retry', 'throttle', 'hold'].includes(entry.action.kind)) expect(entry.curable).toBe(true);
    if (['halt', 'opt-out'].includes(entry.action.kind)) expect(entry.curable).toBe(false);
    if (entry.action.kind === 'throttle' || entry.action.kind === 'hold') expect(entry.class).toBe('throttled');
    if (code in RECEIPT_ERRORS) expect(entry).not.toHaveProperty('status');
  });

  it('holds the codes the carriers meter with', () => {
    expect(TWILIO_ERRORS[30027].action).toEqual({ kind: 'hold', scope: 'brand', until: 'daily-reset' });
    expect(TWILIO_ERRORS[30023].action).toEqual({ kind: 'hold', scope: 'brand', until: 'daily-reset' });
    expect(TWILIO_ERRORS[30022].action).toEqual({ kind: 'throttle', scope: 'pool' });
    expect(TWILIO_ERRORS[63038].action).toEqual({ kind: 'hold', scope: 'account', until: 'rolling-day' });
    expect(TWILIO_ERRORS[63018]).toMatchObject({ curable: true, class: 'throttled' });
    expect(TWILIO_ERRORS[21610].action).toEqual({ kind: 'opt-out' });
  });
});

describe('describeCode', () => {
  it.each([
    ['21610', { reason: 'recipient opted out (replied STOP)', curable: false, class: 'recipient' }],
    ['63018', { reason: 'channel rate limit or WhatsApp messaging tier exceeded', curable: true, class: 'throttled' }],
    ['transient', { curable: true, class: 'transient' }],
    ['invalid-content', { curable: false, class: 'content' }],
    ['no-answer', { curable: false, class: 'unknown' }],
    ['lookup-failed', { curable: false, class: 'unknown' }],
    ['none', { reason: 'undelivered without an error code', curable: false }],
    ['http-403', { reason: 'refused with HTTP 403', curable: false, class: 'rejected' }],
    ['http-502', { curable: true, class: 'transient' }],
    ['30999', { reason: 'error 30999', curable: false, class: 'carrier' }],
    ['63999', { curable: false, class: 'whatsapp' }],
    ['21999', { curable: false, class: 'rejected' }],
    ['something-new', { reason: 'error something-new', curable: false, class: 'other' }],
  ])('%s', (code, expected) => {
    expect(describeCode(code)).toMatchObject(expected);
  });
});
