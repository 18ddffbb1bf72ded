import { describe, expect, it } from '@jest/globals';

import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { prepareRowContext } from '../../../src/ingest/row-context.js';
import { makeSpec } from '../../fixtures/campaign-spec.js';

const spec = makeSpec;

describe('prepareRowContext', () => {
  it('prepares what every row needs', () => {
    const result = prepareRowContext(spec(), ['phone', 'first_name', 'code', 'notes']);
    if (!result.ok) throw new Error(result.reason);
    const { context } = result;
    expect([...context.templates.variables]).toEqual(['first_name', 'code']);
    expect([...context.readColumns]).toEqual(['first_name', 'code', 'phone']);
    expect(context.minFieldCount).toBe(3);
    expect(context.pool.text.map((candidate) => candidate.id)).toEqual(['p14155550100']);
  });

  it('reads the channel column when the header has one', () => {
    const result = prepareRowContext(spec(), ['phone', 'first_name', 'code', 'notes', 'channel']);
    expect(result.ok && [result.context.readColumns.has('channel'), result.context.minFieldCount]).toEqual([true, 5]);
  });

  it.each<[string, Partial<CampaignSpec>, string[], string]>([
    ['duplicate header names', {}, ['phone', 'code', 'first_name', 'code'], 'duplicate column "code" in the header'],
    ['no recipient column', {}, ['a', 'b', 'c'], 'no recipient column "phone" (columns: a, b, c)'],
    [
      'a template variable that is not a column',
      { templates: { body: 'Hi {{frist_name}}', media: [] } },
      ['phone', 'first_name'],
      'template variable {{frist_name}} is not a column (columns: phone, first_name)',
    ],
    [
      'a variable inside a section that is not a column',
      { templates: { body: '{{#vip}}VIP{{/vip}}', media: [] } },
      ['phone'],
      'template variable {{vip}} is not a column (columns: phone)',
    ],
    [
      'a media template variable that is not a column',
      { templates: { body: 'Hi', media: ['{{image}}'] } },
      ['phone'],
      'template variable {{image}} is not a column (columns: phone)',
    ],
    [
      'a template that does not parse',
      { templates: { body: 'Hi {{first_name', media: [] } },
      ['phone', 'first_name'],
      'body template: unclosed tag at 15',
    ],
    ['no senders', { senders: [] }, ['phone', 'first_name', 'code'], 'the campaign has no senders'],
    [
      'a campaign channel no sender can carry',
      { channel: 'whatsapp' },
      ['phone', 'first_name', 'code'],
      'no sender in the pool can send whatsapp',
    ],
  ])('fails once for %s', (_name, overrides, columns, reason) => {
    expect(prepareRowContext(spec(overrides), columns)).toEqual({ ok: false, reason });
  });

  it('leaves a campaign channel no sender carries to the rows when they may name their own', () => {
    expect(prepareRowContext(spec({ channel: 'whatsapp' }), ['phone', 'first_name', 'code', 'channel']).ok).toBe(true);
  });
});
