import { describe, expect, it } from '@jest/globals';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { composeMessage } from '../../../src/domain/compose-message.js';
import { countryOf } from '../../../src/domain/e164.js';
import { parseMessageTemplates } from '../../../src/domain/template.js';
import { type CsvRow, planRow, type RowPlan } from '../../../src/ingest/plan-row.js';
import type { SendJobData } from '../../../src/store/send-job.js';
import { prepareRowContext, type RowContext } from '../../../src/ingest/row-context.js';
import { makeSpec, SMS_SENDER, WA_SENDER } from '../../fixtures/campaign-spec.js';

const IMAGE = 'https://cdn.example.com/a.jpg';

function context(overrides: Partial<CampaignSpec>, columns: readonly string[]): RowContext {
  const result = prepareRowContext(makeSpec(overrides), columns);
  if (!result.ok) throw new Error(result.reason);
  return result.context;
}

/** A row made from `values` in header order, as the CSV reader gives it. */
function row(_columns: readonly string[], values: readonly string[], line = 7): CsvRow {
  return { fields: values, line };
}

const COLUMNS = ['phone', 'first_name', 'code', 'notes'];
const SMS = context({}, COLUMNS);

function reasonOf(plan: RowPlan): string {
  if (plan.ok) throw new Error('expected a refusal');
  return plan.reason;
}

describe('planRow', () => {
  it('turns a valid row into a job that carries only the template columns', () => {
    const plan = planRow(SMS, row(COLUMNS, ['(415) 555-2671', 'Ana', '1234', 'call after 5']));
    expect(plan).toEqual({
      ok: true,
      job: { line: 7, to: '+14155552671', channel: 'sms', segments: 1, vars: { first_name: 'Ana', code: '1234' } },
      senderId: 'p14155550100',
      content: {
        channel: 'sms',
        body: 'Hi Ana, your code is 1234',
        segments: { encoding: 'GSM-7', segments: 1, ucs2Chars: [] },
      },
    });
  });

  it('counts segments as the job’s pace cost', () => {
    const plan = planRow(SMS, row(COLUMNS, ['+14155552671', 'A'.repeat(150), '1', '']));
    expect(plan.ok && plan.job.segments).toBe(2);
  });

  it.each<[string, string[], string]>([
    ['more fields than the header', ['+14155552671', 'Ana', '1', 'n', 'extra'], 'row has 5 fields, header has 4'],
    ['a short row missing a used column', ['+14155552671', 'Ana'], 'row has 2 fields, header has 4 (missing code)'],
    ['a row of one field', ['+14155552671'], 'row has 1 field, header has 4 (missing first_name, code)'],
    ['an empty recipient', ['  ', 'Ana', '1', ''], 'empty phone'],
    ['an invalid number', ['+1 555 555 5555', 'Ana', '1', ''], 'invalid number: +1 555 555 5555'],
    ['text for a number', ['call me', 'Ana', '1', ''], 'invalid number: call me (not a number)'],
  ])('refuses %s', (_name, values, reason) => {
    expect(planRow(SMS, row(COLUMNS, values, 12))).toEqual({ ok: false, line: 12, reason });
  });

  it('accepts a short row that lacks only unused trailing columns', () => {
    const plan = planRow(SMS, row(COLUMNS, ['+14155552671', 'Ana', '1234']));
    expect(plan.ok && plan.job.vars).toEqual({ first_name: 'Ana', code: '1234' });
  });

  it('reads columns by name as people write them, and counts a cell of spaces as empty', () => {
    const header = [' Phone ', 'First Name', 'CODE', 'notes'];
    const plan = planRow(context({}, header), row(header, ['+14155552671', 'Ana', '   ', 'x']));
    expect(plan.ok && plan.job.vars).toEqual({ first_name: 'Ana', code: '' });
  });

  it('reads a column named __proto__ as a value like any other', () => {
    const header = ['phone', '__proto__'];
    const plan = planRow(
      context({ templates: { body: 'Hi {{__proto__}}', media: [] } }, header),
      row(header, ['+14155552671', 'Ana']),
    );
    expect(plan.ok && [Object.keys(plan.job.vars), plan.content.channel === 'sms' && plan.content.body]).toEqual([
      ['__proto__'],
      'Hi Ana',
    ]);
  });

  it('refuses a row whose message breaks the channel rules', () => {
    const long = context({ templates: { body: '{{text}}', media: [] } }, ['phone', 'text']);
    expect(reasonOf(planRow(long, row(['phone', 'text'], ['+14155552671', 'x'.repeat(1734)])))).toBe(
      'body is 1,734 characters (max 1,600)',
    );
  });

  describe('channel', () => {
    const columns = ['phone', 'image', 'channel'];
    const mixed = context(
      { templates: { body: 'Hello', media: ['{{image}}'] }, senders: [SMS_SENDER, WA_SENDER] },
      columns,
    );
    const channelOf = (ctx: RowContext, values: string[]): string => {
      const plan = planRow(ctx, row(columns, values));
      if (!plan.ok) throw new Error(plan.reason);
      expect(plan.job.channel).toBe(plan.content.channel);
      return plan.job.channel;
    };

    it.each([
      ['the row names sms', ['+14155552671', '', 'sms'], 'sms'],
      ['the row names WhatsApp in any case', ['+14155552671', '', ' WhatsApp '], 'whatsapp'],
      ['the row names mms', ['+14155552671', IMAGE, 'MMS'], 'mms'],
      ['a row with media and no channel is MMS', ['+14155552671', IMAGE, ''], 'mms'],
      ['a row without media and no channel is SMS', ['+14155552671', '', ''], 'sms'],
    ])('%s', (_name, values, channel) => {
      expect(channelOf(mixed, values)).toBe(channel);
    });

    it('the row’s channel overrides the campaign’s', () => {
      const campaignSms = context(
        { channel: 'sms', templates: { body: 'Hello', media: [] }, senders: [SMS_SENDER, WA_SENDER] },
        columns,
      );
      expect(channelOf(campaignSms, ['+14155552671', '', ''])).toBe('sms');
      expect(channelOf(campaignSms, ['+14155552671', '', 'whatsapp'])).toBe('whatsapp');
    });

    it('the campaign’s channel decides when the row names none', () => {
      const campaignWa = context({ channel: 'whatsapp', senders: [SMS_SENDER, WA_SENDER] }, COLUMNS);
      const plan = planRow(campaignWa, row(COLUMNS, ['+447400123456', 'Ana', '1', '']));
      expect(plan.ok && [plan.job.channel, plan.senderId]).toEqual(['whatsapp', 'w14155550101']);
    });

    it('a pool of WhatsApp senders only makes WhatsApp the default', () => {
      const waOnly = context({ templates: { body: 'Hello', media: ['{{image}}'] }, senders: [WA_SENDER] }, columns);
      expect(channelOf(waOnly, ['+14155552671', '', ''])).toBe('whatsapp');
    });

    it.each([
      ['an unknown channel', ['+14155552671', '', 'fax'], 'unknown channel "fax" (expected sms, mms or whatsapp)'],
      ['WhatsApp without a WhatsApp sender', ['+14155552671', '', 'whatsapp'], 'no whatsapp sender in the pool'],
      ['MMS outside US/Canada', ['+447400123456', IMAGE, ''], 'MMS only to US/Canada numbers (recipient is GB)'],
      ['media on an SMS row', ['+14155552671', IMAGE, 'sms'], 'media given for an SMS message'],
    ])('refuses %s', (_name, values, reason) => {
      const smsOnly = context({ templates: { body: 'Hello', media: ['{{image}}'] } }, columns);
      expect(reasonOf(planRow(smsOnly, row(columns, values)))).toBe(reason);
    });
  });

  it('gives the worker what it needs to render the same message again', () => {
    const templates = { body: 'Hi {{first_name}}', media: ['{{image}}'] };
    const columns = ['phone', 'first_name', 'image'];
    const plan = planRow(context({ templates }, columns), row(columns, ['+14155552671', 'Zoë & "Bo"', IMAGE]));
    if (!plan.ok) throw new Error(plan.reason);
    // The worker's side: the job back from Redis, the campaign's templates parsed once, the sender by id.
    const job = JSON.parse(JSON.stringify(plan.job)) as SendJobData;
    const parsed = parseMessageTemplates(templates);
    if (!parsed.ok) throw new Error(parsed.reason);
    const country = countryOf(job.to);
    const again = composeMessage({
      templates: parsed.templates,
      vars: job.vars,
      channel: job.channel,
      country,
      sender: SMS_SENDER.sender,
    });
    expect(again).toEqual({ ok: true, content: plan.content });
  });
});

describe('planRow with a consent column', () => {
  const columns = ['phone', 'first_name', 'code', 'Consent'];
  const withConsent = context({ consentColumn: 'consent' }, columns);

  it('sends a row whose consent cell says anything but no, and refuses the others as lacking consent', () => {
    for (const cell of ['yes', 'Y', '2026-01-05', 'web form']) {
      expect(planRow(withConsent, row(columns, ['+14155552671', 'Ana', '1', cell]))).toMatchObject({ ok: true });
    }
    for (const [cell, reason] of [
      ['No', 'no consent: consent is "No"'],
      ['FALSE', 'no consent: consent is "FALSE"'],
      [' 0 ', 'no consent: consent is "0"'],
      ['n', 'no consent: consent is "n"'],
      ['  ', 'no consent: consent is empty'],
    ] as const) {
      expect(planRow(withConsent, row(columns, ['+14155552671', 'Ana', '1', cell]))).toEqual({
        ok: false,
        line: 7,
        reason,
        consent: true,
      });
    }
    // A row short of its consent cell, as a spreadsheet drops trailing empty cells.
    expect(reasonOf(planRow(withConsent, row(columns, ['+14155552671', 'Ana', '1'])))).toBe(
      'no consent: consent is empty',
    );
  });
});
