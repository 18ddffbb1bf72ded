import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { dryRun } from '../../../src/estimate/dry-run.js';
import { formatDryRun } from '../../../src/estimate/format-dry-run.js';
import { EXAMPLE_PRICES } from '../../../src/estimate/price-table.js';
import { makeSpec, marketingSpec } from '../../fixtures/campaign-spec.js';
import { testSpec } from '../../helpers/campaign.js';

const { defaultCountry: _defaultCountry, ...rest } = makeSpec({
  templates: { body: 'Hi {{first_name|there}}{{#code}}, code {{code}}{{/code}}', media: [] },
});
const withoutDefaultCountry = rest;

describe('dryRun on a file as a spreadsheet exports it', () => {
  it('counts the rows sent with an empty variable, and hints at the default country the others suggest', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-dry-')), 'export.csv');
    writeFileSync(
      path,
      'Phone;First Name;Code\n+14155550100;Ann;1\n+14155550101; ;2\n;;\n(415) 555-0102;Bo;3\n+14155550103;;\n',
    );
    const result = await dryRun({
      file: path,
      spec: withoutDefaultCountry,
      prices: EXAMPLE_PRICES,
      samples: 3,
    });
    expect(result).toMatchObject({ rows: 4, messages: 3, rejected: 1 });
    expect(result.emptyVariables).toEqual([
      { variable: 'first_name', rows: 2, fallback: 'there' },
      { variable: 'code', rows: 1, fallback: undefined },
    ]);
    expect(result.countryHint).toEqual({ missing: 1, country: 'US' });
    expect(result.samples.map((sample) => sample.content.channel === 'sms' && sample.content.body)).toEqual([
      'Hi Ann, code 1',
      'Hi there, code 2',
      'Hi there',
    ]);
    const text = formatDryRun('c1', result, 'UTC', undefined);
    expect(text).toContain('  empty cells {{first_name}} in 2 rows (fallback "there")\n');
    expect(text).toContain('              {{code}} in 1 row (no fallback: {{code|…}} gives one)\n');
    expect(text).toContain('  hint        1 number has no country code and every other number is in US');
  });
});

describe('dryRun repeats', () => {
  it('finds repeated numbers as the ledger would: a repeat on the same sender, a refusal on another', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-dry-')), 'r.csv');
    writeFileSync(
      path,
      [
        'phone,name,channel,image',
        '+14155551000,Ann,sms,',
        '+14155551001,Bo,whatsapp,',
        // SMS and MMS go through the same pool of numbers, so the same sender: sent once, as a repeat.
        '+14155551000,Ann,mms,https://example.com/a.png',
        '(415) 555-1000,Ann,sms,',
        // WhatsApp's sender is another: the same person would be texted twice.
        '+14155551000,Ann,whatsapp,',
        '+14155551001,Bo,sms,',
        '+14155551001,Bo,whatsapp,',
      ].join('\n'),
    );
    const rejected: [number, string][] = [];
    const result = await dryRun({
      file: path,
      spec: testSpec({
        campaign: 'dry',
        from: ['+14155550100', '+14155550101', 'whatsapp:+14155238886'],
        body: 'Hi {{name}}',
        media: ['{{image}}'],
        defaultCountry: 'US',
      }),
      prices: EXAMPLE_PRICES,
      samples: 0,
      onRejected: (line, reason) => rejected.push([line, reason]),
    });
    expect(result).toMatchObject({ rows: 7, messages: 2, repeated: 3, rejected: 2 });
    expect(rejected).toEqual([
      [6, 'recipient already in this campaign on another channel'],
      [7, 'recipient already in this campaign on another channel'],
    ]);
  });
});

describe('dryRun with a consent column', () => {
  it('refuses rows without consent with their line and counts them apart', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-dry-')), 'consent.csv');
    writeFileSync(
      path,
      'phone,first_name,code,Opted In\n' +
        '+14155550100,Ann,1,yes\n' +
        '+14155550101,Bo,2, NO \n' +
        '+14155550102,Cy,3,\n' +
        '+14155550103,Di,4,2026-03-01 web form\n' +
        '+14155550104,Ed,5,False\n' +
        '+14155550105,Flo,6,0\n' +
        '+14155550106,Gus,7,n\n' +
        '+14155550107,Hal,8\n' +
        'nope,Ida,9,yes\n',
    );
    const refused: string[] = [];
    const result = await dryRun({
      file: path,
      spec: makeSpec({ consentColumn: 'opted_in' }),
      prices: EXAMPLE_PRICES,
      samples: 0,
      onRejected: (line, reason) => refused.push(`${line}: ${reason}`),
    });
    expect(result).toMatchObject({ rows: 9, messages: 2, rejected: 7, withoutConsent: 6 });
    expect(refused).toEqual([
      '3: no consent: opted_in is "NO"',
      '4: no consent: opted_in is empty',
      '6: no consent: opted_in is "False"',
      '7: no consent: opted_in is "0"',
      '8: no consent: opted_in is "n"',
      '9: no consent: opted_in is empty',
      expect.stringMatching(/^10: invalid number: nope/),
    ]);
    expect(formatDryRun('c', result, 'UTC', undefined)).toContain(
      '  rejected    7 (each listed above with its line)\n    of which  6 without consent\n',
    );
  });

  it('fails at once when the file has no such column', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-dry-')), 'noconsent.csv');
    writeFileSync(path, 'phone,first_name,code\n+14155550100,Ann,1\n');
    await expect(
      dryRun({ file: path, spec: makeSpec({ consentColumn: 'consent' }), prices: EXAMPLE_PRICES, samples: 0 }),
    ).rejects.toThrow('no consent column "consent" (columns: phone, first_name, code)');
  });
});

describe('dryRun and the compliance rules', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-dry-')), 'law.csv');
  writeFileSync(path, 'phone,first_name,code\n+13055550100,Ann,1\n+14155550100,Bo,2\n');
  // 22:00 in Miami, 19:00 in San Francisco.
  const startAt = new Date('2026-12-08T03:00:00Z');

  it('counts who is outside their legal hours at the start and who opted out, and finishes within the hours', async () => {
    const asked: string[] = [];
    const result = await dryRun({
      file: path,
      spec: marketingSpec(),
      prices: EXAMPLE_PRICES,
      samples: 0,
      startAt,
      optedOut: async (numbers) => {
        asked.push(...numbers);
        return numbers.map((to) => to === '+14155550100');
      },
    });
    expect(result).toMatchObject({ messages: 2, outsideLegalHours: 1, optedOut: 1 });
    expect(asked).toEqual(['+13055550100', '+14155550100']);
    // The Miami recipient waits for 08:00 their time.
    expect(result.schedule.finishAt).toBeGreaterThanOrEqual(Date.parse('2026-12-08T13:00:00Z'));
    expect(result.schedule.finishAt).toBeLessThan(Date.parse('2026-12-08T13:01:00Z'));
    const text = formatDryRun('c1', result, 'UTC', undefined);
    expect(text).toContain(
      '  quiet hours 1 outside their legal hours at the start (US law): each waits for their next legal minute\n',
    );
    expect(text).toContain('  opted out   1 on the opt-out list: herald send refuses them\n');
    expect(text).toMatch(/ {2}duration {4}about 10 h 0 min within each recipient's legal hours /);
  });

  it('says a transactional campaign meets neither quiet hours nor the cap, and finishes at the limits', async () => {
    const result = await dryRun({ file: path, spec: makeSpec(), prices: EXAMPLE_PRICES, samples: 0, startAt });
    expect(result).toMatchObject({ messages: 2, outsideLegalHours: undefined, optedOut: undefined });
    expect(result.schedule.finishAt).toBeLessThan(startAt.getTime() + 60_000);
    expect(formatDryRun('c1', result, 'UTC', undefined)).toContain(
      '  rules       transactional: no quiet hours, no frequency cap\n',
    );
  });
});
