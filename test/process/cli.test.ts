import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { testRedisUrl, uniquePrefix } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function herald(args: string[], env: Record<string, string> = {}) {
  const run = spawnNode([HERALD_BIN, ...args], {
    REDIS_URL: testRedisUrl(),
    HERALD_PREFIX: uniquePrefix('cli'),
    ...env,
  });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

const send = ['send', '--campaign', 'c1', '--from', '+14155550100', '--body', 'Hi {{name}}'];

describe('herald CLI', () => {
  // Side by side (each test is its own CLI processes with a prefix of its own): a CLI spends its time starting.
  it.concurrent.each([
    ['a missing file', join(dir, 'missing.csv'), /^herald: cannot open .*missing\.csv: no such file\n$/],
    [
      'no recipient column',
      file('nophone.csv', 'mobile,name\n+14155550100,Ann\n'),
      /^herald: no recipient column "phone" \(columns: mobile, name\)\n$/,
    ],
    [
      'a binary file',
      file('book.xlsx', Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0])),
      /^herald: .*book\.xlsx is not a CSV file \(it holds binary data/,
    ],
    [
      'a file that is not UTF-8',
      file('excel.csv', Buffer.concat([Buffer.from('phone;name\n+14155550100;Jos'), Buffer.from([0xe9, 0x0a])])),
      /^herald: .*excel\.csv is not UTF-8: line 2 has the byte 0xE9 .*pass --encoding windows-1252/,
    ],
    [
      'a template variable that is no column',
      file('vars.csv', 'phone,first\n+14155550100,Ann\n'),
      /^herald: template variable \{\{name\}\} is not a column/,
    ],
  ])('fails with one line and exit 1 on %s', async (_what, path, expected) => {
    const result = await herald(['send', path, ...send.slice(1)]);
    expect(result).toEqual({ code: 1, output: expect.stringMatching(expected) });
    expect(result.output.trim().split('\n')).toHaveLength(1);
  });

  it.concurrent('rejects bad arguments with exit code 2 before touching Redis', async () => {
    const path = file('args.csv', 'phone,name\n+14155550100,Ann\n');
    expect(
      await herald(['send', path, '--campaign', 'c1', '--from', 'nope', '--body', 'x'], {
        REDIS_URL: 'redis://127.0.0.1:1',
      }),
    ).toEqual({
      code: 2,
      output: 'herald: sender nope: expected +E.164, a 5–6 digit short code, whatsapp:+E.164 or MG…\n',
    });
    expect(
      await herald(['send', path, '--campaign', 'bad name', '--from', '+14155550100', '--body', 'x']),
    ).toMatchObject({ code: 2 });
    expect((await herald(['send', path, '--from', '+14155550100'])).output).toMatch(
      /required option '--campaign <name>'/,
    );
    expect(await herald(['send', path, ...send.slice(1), '--encoding', 'klingon'])).toEqual({
      code: 2,
      output: 'herald: --encoding klingon is not an encoding herald knows (e.g. windows-1252, latin1, utf-16le)\n',
    });
  });

  it.concurrent('says so in one line when Redis cannot be reached', async () => {
    const path = file('redis.csv', 'phone,name\n+14155550100,Ann\n');
    expect(await herald(['send', path, ...send.slice(1)], { REDIS_URL: 'redis://127.0.0.1:1' })).toEqual({
      code: 1,
      output: expect.stringMatching(
        /^herald: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
      ),
    });
  });

  it.concurrent('explains every command with an example in --help', async () => {
    const commands = ['send', 'worker', 'sandbox', 'status', 'report', 'resend-failed'];
    const results = await Promise.all(commands.map((command) => herald([command, '--help'])));
    for (const [index, command] of commands.entries()) {
      const result = results[index]!;
      expect({ command, code: result.code }).toEqual({ command, code: 0 });
      expect(result.output).toContain('Example:');
    }
  });
});
