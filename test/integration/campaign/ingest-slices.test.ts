import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';

import { buildCampaignSpec } from '../../../src/cli/campaign-options.js';
import { asE164 } from '../../../src/domain/e164.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { OptOutList } from '../../../src/compliance/opt-out-list.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { type Stack, startStack } from '../../helpers/stack.js';

/**
 * A file of a few thousand rows: the ingest checks numbers on its own thread a thousand rows at a time, so bad
 * rows sit on either side of those slices' edges, after a quoted value spanning lines and among blank lines.
 */
function writeFile(dir: string): { path: string; valid: Set<string>; bad: Map<number, RegExp> } {
  const lines = ['phone,first_name,code'];
  const valid = new Set<string>();
  const bad = new Map<number, RegExp>();
  let line = 1;
  const add = (text: string, spans = 1) => {
    lines.push(text);
    line += spans;
  };
  for (let index = 0; index < 2600; index++) {
    const number = `+1212${String(2_000_000 + index)}`;
    const startLine = line + 1;
    if ([998, 999, 1000, 1001, 1999, 2000].includes(index)) {
      add(`555-${String(1000 + index)},Bad${index},C${index}`);
      bad.set(startLine, /^invalid number: 555-/);
    } else if (index === 1500) {
      add(`"+1 212\n${String(2_000_000 + index)}",Split,C`, 2);
      bad.set(startLine, /^invalid number/);
    } else if (index === 1700) {
      add(`${number},Opted,C`);
      bad.set(startLine, /opted out/);
    } else if (index === 500 || index === 2100) {
      add(`${number},"Multi\nline\n\nname",C${index}`, 4);
      valid.add(number);
    } else if (index === 1200) {
      add(`${number},Short`);
      bad.set(startLine, /row has 2 fields/);
    } else {
      add(`${number},Name${index},C${index}`);
      valid.add(number);
    }
    if (index % 700 === 0) add('', 1);
  }
  const path = join(dir, 'slices.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, valid, bad };
}

describe('ingesting a file the phone-check thread takes in several slices', () => {
  let stack: Stack;
  let dir: string;

  beforeAll(async () => {
    stack = await startStack('ingest-slices');
    dir = mkdtempSync(join(tmpdir(), 'herald-ingest-slices-'));
  });

  afterAll(async () => {
    await stack.close();
  });

  it('queues every valid row once and reports each bad one at its own line, in file order', async () => {
    const file = writeFile(dir);
    await new OptOutList(stack.connection, stack.keys).add(asE164('+12122001700')!, { source: 'operator' });
    const built = buildCampaignSpec(
      {
        campaign: 'slices',
        from: ['+14155550100'],
        body: 'Hi {{first_name}} {{code}}',
        media: [],
        toColumn: 'phone',
        // Not about the compliance rules: sent at any hour.
        transactional: true,
      },
      new Date(),
    );
    if (!built.ok) throw new Error(built.reason);
    const rejectedPath = join(dir, 'slices.rejected.csv');
    const reported: number[] = [];
    const summary = await runIngest(stack, {
      file: file.path,
      spec: built.spec,
      rejectedPath,
      chunkSize: 100,
      onRejected: (line) => reported.push(line),
    });

    expect(summary).toMatchObject({ rows: 2600, queued: file.valid.size, rejected: file.bad.size });
    const rejected = parse(readFileSync(rejectedPath), { columns: true, relax_column_count: true }) as Record<
      string,
      string
    >[];
    expect(rejected.map((row) => Number(row['line']))).toEqual([...file.bad.keys()]);
    for (const row of rejected) expect(row['reason']).toMatch(file.bad.get(Number(row['line']))!);
    // Rows refused while planning come out in file order; an opt-out is known only once its chunk reaches Redis.
    expect(reported.filter((line) => !/opted/.test(String(file.bad.get(line))))).toEqual(
      [...file.bad.keys()].filter((line) => !/opted/.test(String(file.bad.get(line)))),
    );

    const inLedger: string[] = [];
    for await (const { to } of readLedger(stack.connection, stack.keys, built.spec.name)) inLedger.push(to);
    expect(inLedger.sort()).toEqual([...file.valid].sort());
  });
});
