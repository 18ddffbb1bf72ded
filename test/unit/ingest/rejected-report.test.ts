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

  it('replaces an old report at the first refused row, and removes it when a run refuses none', async () => {
    const path = join(dir, 'old.rejected.csv');
    writeFileSync(path, 'line,reason,phone\n9,stale,x\n8,stale,y\n');
    const replaced = await RejectedReport.open(path, ['phone']);
    await replaced.add(2, 'empty phone', ['']);
    await replaced.close();
    expect(readFileSync(path, 'utf8')).toBe('line,reason,phone\n2,empty phone,\n');
    const none = await RejectedReport.open(path, ['phone']);
    await none.close();
    expect(existsSync(path)).toBe(false);
    // A device given as the path is written to, never removed.
    await (await RejectedReport.open('/dev/null', ['phone'])).close();
    expect(existsSync('/dev/null')).toBe(true);
  });

  it('leaves an old report as it was when the run fails before writing, and removes a file it made', async () => {
    const path = join(dir, 'kept.rejected.csv');
    writeFileSync(path, 'line,reason\n9,stale\n');
    await (await RejectedReport.open(path, ['phone'])).abandon();
    expect(readFileSync(path, 'utf8')).toBe('line,reason\n9,stale\n');
    const made = join(dir, 'made.rejected.csv');
    await (await RejectedReport.open(made, ['phone'])).abandon();
    expect(existsSync(made)).toBe(false);
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
