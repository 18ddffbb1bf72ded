import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';

import { buildCampaignSpec } from '../../../src/cli/campaign-options.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { type Stack, startStack, waitForFinished } from '../../helpers/stack.js';

describe('a file as European Excel saves it, sent through the workers to the sandbox', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('spreadsheet-export');
  });
  afterAll(async () => {
    await stack.close();
  });

  it('reads Windows-1252, semicolons, header names as written and empty rows, and renders fallbacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-export-'));
    const file = join(dir, 'export.csv');
    const text = [
      ' Phone ;First Name;__proto__;Note',
      '+14155550100;José;A;=HYPERLINK("http://x.example")',
      ';;;',
      '+14155550101; ;B;',
      '+14155550102;Zoë;C;',
      '4.15556E+09;Excel;D;@SUM(1)',
      '',
    ].join('\r\n');
    writeFileSync(file, iconv.encode(text, 'windows-1252'));
    const built = buildCampaignSpec(
      {
        campaign: 'export',
        from: ['+14155550199'],
        body: 'Hi {{first_name|there}} ({{__proto__}})',
        media: [],
        toColumn: 'PHONE',
        // Not about the compliance rules: sent at any hour.
        transactional: true,
        mps: 1000,
      },
      new Date(),
    );
    if (!built.ok) throw new Error(built.reason);
    const rejectedPath = join(dir, 'export.rejected.csv');
    const summary = await runIngest(stack, {
      file,
      spec: built.spec,
      rejectedPath,
      chunkSize: 10,
      format: { encoding: 'windows-1252' },
    });
    expect(summary).toMatchObject({ rows: 4, queued: 3, rejected: 1 });

    await waitForFinished(stack.store, built.spec.name);
    const bodies = Object.fromEntries(
      stack.sandbox.requests().map((request) => [String(request.params['To']), request.params['Body']]),
    );
    expect(bodies).toEqual({
      '+14155550100': 'Hi José (A)',
      '+14155550101': 'Hi there (B)',
      '+14155550102': 'Hi Zoë (C)',
    });
    // With the file’s delimiter and header (trimmed), and a formula-starting cell as text.
    expect(readFileSync(rejectedPath, 'utf8')).toBe(
      'line;reason;Phone;First Name;__proto__;Note\n' +
        '6;invalid number: 4.15556E+09 (a spreadsheet showed it in scientific notation and saved it so, without ' +
        "its last digits: format the column as Text or as Number with 0 decimals, then save as CSV again);4.15556E+09;Excel;D;'@SUM(1)\n",
    );
  });
});
