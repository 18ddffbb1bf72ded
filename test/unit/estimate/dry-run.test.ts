import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { dryRun } from '../../../src/estimate/dry-run.js';
import { formatDryRun } from '../../../src/estimate/format-dry-run.js';
import { EXAMPLE_PRICES } from '../../../src/estimate/price-table.js';
import { makeSpec } from '../../fixtures/campaign-spec.js';

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
    const text = formatDryRun('c1', result);
    expect(text).toContain('  empty cells {{first_name}} in 2 rows (fallback "there")\n');
    expect(text).toContain('              {{code}} in 1 row (no fallback: {{code|…}} gives one)\n');
    expect(text).toContain('  hint        1 number has no country code and every other number is in US');
  });
});
