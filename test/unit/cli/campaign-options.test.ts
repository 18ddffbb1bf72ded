import { describe, expect, it } from '@jest/globals';

import { buildCampaignSpec, parseSendersFile, type SendOptions } from '../../../src/cli/campaign-options.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const base: SendOptions = { campaign: 'spring', from: ['+14155550100'], body: 'Hi', media: [], toColumn: 'phone' };
const { body: _body, ...noBody } = base;

describe('buildCampaignSpec', () => {
  it('builds a spec with parsed senders of every kind', () => {
    const result = buildCampaignSpec(
      {
        ...base,
        from: ['+14155550100', '+18005550100', '12345', 'whatsapp:+14155238886', `MG${'a'.repeat(32)}`],
        defaultCountry: 'us',
      },
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      spec: {
        name: 'spring',
        templates: { body: 'Hi', media: [] },
        senders: [
          { sender: { kind: 'long-code', number: '+14155550100' } },
          { sender: { kind: 'toll-free', number: '+18005550100' } },
          { sender: { kind: 'short-code', code: '12345' } },
          { sender: { kind: 'whatsapp', number: '+14155238886' } },
          { sender: { kind: 'messaging-service', sid: `MG${'a'.repeat(32)}` } },
        ],
        toColumn: 'phone',
        defaultCountry: 'US',
        createdAt: '2030-01-01T00:00:00.000Z',
      },
    });
  });

  it('gives --mps to every --from sender and takes pool members and their rates from a senders file', () => {
    const file = parseSendersFile('sender,mps\n+14155550101,\n12345,50\n');
    if (!file.ok) throw new Error(file.reason);
    const result = buildCampaignSpec({ ...base, mps: 2, senderRows: file.rows }, NOW);
    expect(result).toMatchObject({
      ok: true,
      spec: {
        senders: [
          { sender: { kind: 'long-code', number: '+14155550100' }, mps: 2 },
          { sender: { kind: 'long-code', number: '+14155550101' } },
          { sender: { kind: 'short-code', code: '12345' }, mps: 50 },
        ],
      },
    });
    expect(result.ok && result.spec.senders[1]).not.toHaveProperty('mps');
  });

  it('takes each sender’s rate group from a senders file’s group column', () => {
    const file = parseSendersFile('sender,mps,group\n+14155550101,,acme-10dlc\n12345,50,\n');
    if (!file.ok) throw new Error(file.reason);
    const result = buildCampaignSpec({ ...base, from: [], senderRows: file.rows }, NOW);
    expect(result).toMatchObject({
      ok: true,
      spec: { senders: [{ group: 'acme-10dlc' }, { mps: 50 }] },
    });
    expect(result.ok && result.spec.senders[1]).not.toHaveProperty('group');
  });

  it.each([
    ['sender,group\n+14155550101,"two words"\n', /^group "two words" \(senders file line 2\) is not a group name$/],
    ['sender,mps\n+14155550101,fast\n', /^sender \+14155550101 \(senders file line 2\): mps must be a number above 0$/],
    ['sender,mps\n+14155550101,1\nnope,\n', /sender nope: .* \(senders file line 3\)/],
  ])('refuses a bad senders file row: %j', (text, reason) => {
    const file = parseSendersFile(text);
    if (!file.ok) throw new Error(file.reason);
    expect(buildCampaignSpec({ ...base, senderRows: file.rows }, NOW)).toEqual({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  });

  it.each([
    ['', /no senders/],
    ['phone,mps\n+14155550101,1\n', /no "sender" column/],
  ])('refuses a senders file %j', (text, reason) => {
    expect(parseSendersFile(text)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('keeps WhatsApp template options', () => {
    const result = buildCampaignSpec(
      {
        ...noBody,
        from: ['whatsapp:+14155238886'],
        contentSid: `HX${'b'.repeat(32)}`,
        contentVariables: '{"1":"{{first_name}}"}',
      },
      NOW,
    );
    expect(result).toMatchObject({
      ok: true,
      spec: { templates: { contentSid: `HX${'b'.repeat(32)}`, contentVariables: { '1': '{{first_name}}' } } },
    });
  });

  it.each<[string, Partial<SendOptions>, RegExp]>([
    ['a bad campaign name', { campaign: 'spring sale' }, /campaign name "spring sale" must be/],
    ['no sender', { from: [] }, /at least one sender is required/],
    ['a rate that is not positive', { mps: 0 }, /--mps must be a number above 0/],
    ['a bad sender', { from: ['0800'] }, /sender 0800: expected \+E\.164/],
    ['a sender given twice', { from: ['+14155550100', '+1 415 555 0100'] }, /given twice/],
    ['an unknown channel', { channel: 'fax' }, /--channel must be sms, mms or whatsapp/],
    ['a bad content SID', { contentSid: 'HX1' }, /--content-sid must be HX/],
    [
      'content variables that are not a JSON object',
      { contentSid: `HX${'b'.repeat(32)}`, contentVariables: '[1]' },
      /JSON object of strings/,
    ],
    ['content variables without a content SID', { contentVariables: '{"1":"x"}' }, /needs --content-sid/],
    ['a bad default country', { defaultCountry: 'XX' }, /not an ISO country code/],
  ])('refuses %s', (_case, change, reason) => {
    const result = buildCampaignSpec({ ...base, ...change }, NOW);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('refuses a campaign with no message at all', () => {
    const result = buildCampaignSpec(noBody, NOW);
    expect(result).toEqual({ ok: false, reason: 'give a message: --body, --media or --content-sid' });
  });
});
