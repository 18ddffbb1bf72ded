import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { RejectedReport, RejectedReportError } from '../../../src/ingest/rejected-report.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-rejected-'));

describe('RejectedReport', () => {
  it('writes refused rows with the file’s delimiter, formulas as text and phone numbers as they are', async () => {
    const path = join(dir, 'c.rejected.csv');
    const report = await RejectedReport.open(path, ['phone', '=name'], ';');
    await report.add(2, 'invalid number: +1 555', ['+1 555', '=HYPERLINK("http://x.example","y")']);
    await report.add(3, 'recipient opted out', ['+14155550100', '@SUM(A1)']);
    await report.close();
    expect(readFileSync(path, 'utf8')).toBe(
      "line;reason;phone;'=name\n" +
        `2;invalid number: +1 555;+1 555;"'=HYPERLINK(""http://x.example"",""y"")"\n` +
        "3;recipient opted out;+14155550100;'@SUM(A1)\n",
    );
  });

  it('empties an old report at the start and removes the file when nothing was refused', async () => {
    const path = join(dir, 'old.rejected.csv');
    writeFileSync(path, 'line,reason\n9,stale\n');
    const report = await RejectedReport.open(path, ['phone']);
    expect(readFileSync(path, 'utf8')).toBe('');
    await report.close();
    expect(existsSync(path)).toBe(false);
    // A device given as the path is written to, never removed.
    await (await RejectedReport.open('/dev/null', ['phone'])).close();
    expect(existsSync('/dev/null')).toBe(true);
  });

  it('fails with one line when the file cannot be opened or written', async () => {
    await expect(RejectedReport.open(join(dir, 'no', 'such', 'dir.csv'), ['phone'])).rejects.toThrow(
      new RejectedReportError(`cannot write ${join(dir, 'no', 'such', 'dir.csv')}: no such file or directory (ENOENT)`),
    );
    const full = await RejectedReport.open('/dev/full', ['phone']);
    await full.add(2, 'empty phone', ['']);
    await expect(full.close()).rejects.toThrow('cannot write /dev/full: no space left on device (ENOSPC)');
    expect(existsSync('/dev/full')).toBe(true);
  });
});
