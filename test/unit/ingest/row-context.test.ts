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
    expect(context.variables).toEqual([
      ['first_name', 1],
      ['code', 2],
    ]);
    expect([context.toIndex, context.channelIndex, [...context.readIndexes]]).toEqual([0, undefined, [1, 2, 0]]);
    expect(context.minFieldCount).toBe(3);
    expect(context.pool.text.map((candidate) => candidate.id)).toEqual(['p14155550100']);
  });

  it('reads the channel column when the header has one', () => {
    const result = prepareRowContext(spec(), ['phone', 'first_name', 'code', 'notes', 'channel']);
    expect(result.ok && [result.context.channelIndex, result.context.minFieldCount]).toEqual([4, 5]);
  });

  it('finds columns by name whatever their case, spaces, or _ for a space', () => {
    const result = prepareRowContext(spec({ toColumn: 'Phone Number' }), [
      ' PHONE_NUMBER ',
      'First Name',
      'code',
      'Channel',
    ]);
    if (!result.ok) throw new Error(result.reason);
    expect(result.context.toIndex).toBe(0);
    expect(result.context.channelIndex).toBe(3);
    expect(result.context.variables).toEqual([
      ['first_name', 1],
      ['code', 2],
    ]);
  });

  it('lets columns nobody reads repeat, as exports with empty header cells do', () => {
    expect(prepareRowContext(spec(), ['phone', 'first_name', 'code', '', '', 'Notes', 'notes']).ok).toBe(true);
  });

  it.each<[string, Partial<CampaignSpec>, string[], string]>([
    [
      'two columns a read name means',
      {},
      ['phone', 'Code', 'first_name', 'code '],
      'columns "Code" and "code " both read as "code": rename one of them',
    ],
    [
      'two recipient columns',
      {},
      ['Phone', 'PHONE', 'first_name', 'code'],
      'columns "Phone" and "PHONE" both read as "phone": rename one of them',
    ],
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
