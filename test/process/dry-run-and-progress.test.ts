import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { parseRateGroupsFile } from '../../src/domain/rate-group-file.js';
import { makeKeys } from '../../src/store/keys.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { RateGroupsStore } from '../../src/rate/rate-groups-store.js';
import { HERALD_BIN, spawnNode } from '../helpers/processes.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../helpers/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-dry-run-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('herald send --dry-run and the ingest progress bar', () => {
  let connection: Redis;
  const prefix = uniquePrefix('dry-run');
  const herald = async (args: string[], env: Record<string, string> = {}) => {
    const run = spawnNode([HERALD_BIN, ...args], { REDIS_URL: testRedisUrl(), HERALD_PREFIX: prefix, ...env });
    const { code } = await run.exited;
    return { code, output: run.output() };
  };
  const keyCount = async () => (await connection.keys(`${prefix}:*`)).length;

  beforeAll(async () => {
    connection = await connectRedis(testRedisUrl(), { role: 'command' });
  });
  afterAll(async () => {
    await deleteKeys(connection, prefix);
    await connection.quit();
  });

  const prices = file(
    'prices.json',
    JSON.stringify({
      currency: 'EUR',
      asOf: '2026-11-01',
      source: 'test prices',
      prices: { US: { smsSegment: 0.01, mms: 0.03 }, '*': { smsSegment: 0.1 } },
    }),
  );
  // 3 US SMS (one of 2 UCS-2 segments, forced by ë), 1 MMS, 1 German SMS, a repeat, a bad number.
  const recipients = file(
    'dry.csv',
    [
      'phone,name,media',
      '+14155551000,Ann,',
      '+14155551001,Zoë,',
      '+14155551002,Bob,https://example.com/a.png',
      '+14155551003,Cy,',
      '+4915112345678,Jörg,',
      '+14155551000,Ann again,',
      'nope,X,',
    ].join('\n') + '\n',
  );
  const send = (extra: string[]) => [
    'send',
    recipients,
    '--campaign',
    'dry',
    '--from',
    '+14155550100',
    '--body',
    'Hello {{name}}, this is a longer message so that a single non-GSM character takes it past one segment.',
    '--media',
    '{{media}}',
    ...extra,
  ];
  // The cases not about the compliance rules: their estimates must not depend on the hour they run at.
  const sendTransactional = (extra: string[]) => send(['--transactional', ...extra]);

  it('prints counts, segments, cost and duration, reports bad rows, and writes nothing to Redis', async () => {
    const result = await herald(sendTransactional(['--dry-run', '--prices', prices, '--show', '1']));
    expect(result.code).toBe(0);
    const { output } = result;
    expect(output).toContain('line 8: invalid number: nope');
    expect(output).toContain('dry run of campaign dry: 7 rows read; nothing was queued');
    expect(output).toContain('would send  5 (sms 4, mms 1)');
    expect(output).toContain('repeated    1');
    expect(output).toContain('rejected    1');
    // Jörg's ö is GSM-7; Zoë's ë is not, so her message is UCS-2 in 2 segments: 5 SMS segments in all.
    expect(output).toContain('SMS         4 messages in 5 segments: 3 GSM-7, 1 UCS-2');
    expect(output).toContain('UCS-2 forced by "ë" (U+00EB) in 1');
    // US: 4 segments × 0.01 and 1 MMS × 0.03; DE (the * row): 1 segment × 0.1.
    expect(output).toContain('cost        EUR 0.1700 estimated, from: test prices (as of 2026-11-01)');
    expect(output).toContain('US sms: 4 segments × 0.01 = 0.0400');
    expect(output).toContain('US mms: 1 message × 0.03 = 0.0300');
    expect(output).toContain('DE sms: 1 segment × 0.1 = 0.1000');
    // A long code sends 1 segment/s: 6 units (5 segments + 1 MMS) take 6 s.
    expect(output).toContain('+14155550100: 5 messages (5 SMS segments) at 1/s → 6 s');
    expect(output).toContain('line 2 → +14155551000 from +14155550100 (sms, GSM-7, 1 segment)');
    expect(output).not.toContain('line 3 →');
    expect(output).toMatch(/\n {2}finish {6}about \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+, if queued now\n/);
    expect(await keyCount()).toBe(0);
  });

  it('times the campaign from --send-at, read in TZ, and within each recipient’s window', async () => {
    // Tomorrow at 19:59:58 in San Francisco, where the +1415 numbers are: two seconds of the window left there, so
    // most of the US messages wait for 09:00 the day after; the German one is sent while Berlin's window is open.
    const zone = 'America/Los_Angeles';
    const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(ms));
    const tomorrow = day(Date.now() + 86_400_000);
    const after = day(Date.now() + 2 * 86_400_000);
    const result = await herald(
      sendTransactional(['--dry-run', '--send-at', `${tomorrow} 19:59:58`, '--window', '09:00-20:00', '--show', '0']),
      { TZ: zone },
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain(
      "  duration    about 13 h 0 min within the window 09:00-20:00 in each recipient's own time (6 s at the " +
        "senders' limits; longer if workers are few or Twilio throttles)\n" +
        `  finish      about ${after} 09:00 America/Los_Angeles, from the start at ${tomorrow} 19:59 America/Los_Angeles\n`,
    );
    const late = await herald(send(['--dry-run', '--send-at', `${day(Date.now() - 86_400_000)} 09:00`]), { TZ: zone });
    expect(late).toEqual({
      code: 2,
      output: expect.stringMatching(
        /^herald: --send-at \d{4}-\d{2}-\d{2} 09:00:00 America\/Los_Angeles is in the past/,
      ),
    });
  });

  it('counts, for a marketing campaign, who is outside their legal hours at the start and who opted out', async () => {
    // Tomorrow at 22:30 in San Francisco: past 21:00, so every +1415 recipient waits for 08:00 the day after.
    const zone = 'America/Los_Angeles';
    const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(ms));
    const tomorrow = day(Date.now() + 86_400_000);
    const after = day(Date.now() + 2 * 86_400_000);
    const result = await herald(send(['--dry-run', '--send-at', `${tomorrow} 22:30`, '--show', '0']), { TZ: zone });
    expect(result.code).toBe(0);
    expect(result.output).toContain(
      '  quiet hours 4 outside their legal hours at the start (US law): each waits for their next legal minute\n',
    );
    expect(result.output).toContain('  opted out   0\n');
    expect(result.output).toContain(
      "  duration    about 9 h 30 min within each recipient's legal hours (6 s at the senders' limits; longer if " +
        'workers are few or Twilio throttles)\n' +
        `  finish      about ${after} 08:00 America/Los_Angeles, from the start at ${tomorrow} 22:30 America/Los_Angeles\n`,
    );
    expect(await keyCount()).toBe(0);
  });

  it('needs no Redis at all, and refuses a bad price table in one line', async () => {
    const unreachable = { REDIS_URL: 'redis://127.0.0.1:1' };
    expect((await herald(send(['--dry-run']), unreachable)).code).toBe(0);
    const bad = file('bad-prices.json', JSON.stringify({ currency: 'EUR', asOf: 'soon', source: 'x', prices: {} }));
    expect(await herald(send(['--dry-run', '--prices', bad]))).toEqual({
      code: 2,
      output: `herald: price table ${bad}: asOf: a date YYYY-MM-DD\n`,
    });
    expect(await herald(send(['--prices', prices]))).toEqual({ code: 2, output: 'herald: --prices needs --dry-run\n' });
    expect(await keyCount()).toBe(0);
  });

  it('says when the campaign reaches a group’s daily cap and when it then finishes', async () => {
    const parsed = parseRateGroupsFile(
      JSON.stringify({
        groups: [
          { name: 'acme', kind: 'brand', dailyCap: { segments: 3 } },
          { name: 'acme-10dlc', kind: 'pool', parent: 'acme', limit: '10/s', memberLimit: 'none' },
        ],
        senders: [{ sender: '+14155550100', group: 'acme-10dlc' }],
      }),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    await new RateGroupsStore(connection, makeKeys(prefix)).apply(parsed.groups);
    try {
      const keys = await keyCount();
      const { code, output } = await herald(send(['--dry-run']));
      expect(code).toBe(0);
      // 6 units (5 segments and an MMS) through a cap of 3 a day: 3 go at once, 3 the next day (Pacific).
      expect(output).toContain('+14155550100: 5 messages (5 SMS segments) at 10/s → 0.6 s');
      expect(output).toMatch(
        /daily cap {3}acme: 3 segments a day \(0 used today\), resets at 00:00 America\/Los_Angeles; the campaign sends 6 segments through it: reaches it about .+?, then waits for each reset, so it finishes in about \d+ h( \d+ min)? instead of 0\.6 s/,
      );
      expect(output).toMatch(/duration {4}about \d+ h/);
      // Read, not written.
      expect(await keyCount()).toBe(keys);
    } finally {
      await deleteKeys(connection, prefix);
    }
  });

  // Past the 256 KB from which the bar is drawn, in 3,000 rows: long names make the bytes, and each row costs the
  // ingest a Redis write whatever its length.
  const longName = (i: number) => `Person number ${i} ${'with a long name '.repeat(5)}`;
  const big = file(
    'big.csv',
    `phone,name\n${Array.from({ length: 3000 }, (_, i) => `+1415${(5550000 + i).toString()},${longName(i)}`).join('\n')}\n`,
  );
  const sendBig = ['send', big, '--campaign', 'big', '--from', '+14155550100', '--body', 'Hi {{name}}'];

  it('shows no progress bar without a terminal', async () => {
    const result = await herald([...sendBig, '--campaign', 'big-pipe']);
    expect(result.code).toBe(0);
    expect(result.output).not.toMatch(/\u001b|reading|█|░/);
    expect(result.output).toMatch(/^campaign big-pipe: 3000 rows read\n {2}queued {4}3000/);
    // No worker runs in this test, and the summary says so rather than that workers are sending it.
    expect(result.output).toMatch(/\n {2}not sending: no worker has (ever been seen|been seen for [^:]+): start one/);
  });

  it('draws the progress bar on a terminal, on stderr', () => {
    // script(1) gives the command a pseudo-terminal, as an operator's shell would.
    const command = [process.execPath, HERALD_BIN, ...sendBig, '2>&1 >/dev/null']
      .map((part) => (part.startsWith('2>') ? part : `'${part}'`))
      .join(' ');
    const output = execFileSync('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'] ?? '', REDIS_URL: testRedisUrl(), HERALD_PREFIX: prefix },
      encoding: 'utf8',
    });
    expect(output).toMatch(/reading .*100% \| [\d.]+ MB of [\d.]+ MB \| 3000 rows/);
  });
});
