import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';

import { buildCampaignSpec } from '../../../src/cli/campaign-options.js';
import type { CampaignSpec } from '../../../src/domain/campaign.js';
import { runIngest } from '../../../src/ingest/run-ingest.js';
import { readLedger } from '../../../src/store/read-ledger.js';
import { type Stack, startStack, TEST_AUTH_TOKEN, waitForFinished } from '../../helpers/stack.js';

/** A few hundred rows over the three channels, with bad rows at known lines and repeated numbers. */
function writeCampaignCsv(dir: string): {
  path: string;
  valid: Map<string, { channel: string; body: string }>;
  bad: Map<number, RegExp>;
} {
  const lines = ['phone,first_name,code,channel,image'];
  const valid = new Map<string, { channel: string; body: string }>();
  const bad = new Map<number, RegExp>();
  const add = (row: string) => lines.push(row);
  for (let i = 0; i < 200; i++) {
    const number = `+1415555${String(1000 + i)}`;
    add(`${number},Ann${i},C${i},sms,`);
    valid.set(number, { channel: 'sms', body: `Hi Ann${i}, code C${i}` });
    if (i === 0) {
      // The same number for WhatsApp right after its SMS row would text the same person twice: refused. (Far apart in
      // a file, once the SMS went out, it would count as already in the campaign instead: not sent either way.)
      add('+14155551000,Dup,C,whatsapp,');
      bad.set(lines.length, /already in this campaign on another channel/);
    }
  }
  for (let i = 0; i < 50; i++) {
    const number = `+1613555${String(2000 + i)}`;
    add(`${number},Moe${i},M${i},mms,https://media.example.com/m${i}.png`);
    valid.set(number, { channel: 'mms', body: `Hi Moe${i}, code M${i}` });
  }
  for (let i = 0; i < 40; i++) {
    const number = `+4474001${String(23000 + i)}`;
    add(`${number},Wes${i},W${i},whatsapp,${i % 2 === 0 ? `https://media.example.com/w${i}.pdf` : ''}`);
    valid.set(number, { channel: 'whatsapp', body: `Hi Wes${i}, code W${i}` });
  }
  // The same recipients again, written differently: queued once.
  add('(415) 555-1000,Ann again,X,sms,');
  add('415.555.1001,Ann again,X,sms,');
  const badRows: [string, RegExp][] = [
    ['555-0199,Nobody,C,sms,', /invalid number/],
    ['+447712345678,Uma,C,mms,https://media.example.com/u.png', /MMS only to US\/Canada/],
    ['+34612345678,Lu,C,whatsapp,https://media.example.com/l.gif', /unsupported WhatsApp media type \.gif/],
    ['+14155559998,Short', /row has 2 fields/],
    ['+14155559997,Fax,C,fax,', /unknown channel "fax"/],
    ['+14155559996,Ext,C,sms,,extra', /row has 6 fields/],
    [',Empty,C,sms,', /empty phone/],
  ];
  for (const [row, reason] of badRows) {
    add(row);
    bad.set(lines.length, reason);
  }
  const path = join(dir, 'recipients.csv');
  writeFileSync(path, `${lines.join('\r\n')}\r\n\r\n`);
  return { path, valid, bad };
}

describe('a campaign over SMS, MMS and WhatsApp through Redis, BullMQ, the SDK and the sandbox', () => {
  let stack: Stack;
  let dir: string;
  let spec: CampaignSpec;
  let csv: ReturnType<typeof writeCampaignCsv>;

  beforeAll(async () => {
    stack = await startStack('campaign');
    dir = mkdtempSync(join(tmpdir(), 'herald-campaign-'));
    csv = writeCampaignCsv(dir);
    const built = buildCampaignSpec(
      {
        campaign: 'three-channels',
        from: ['+14155550100', '+14155550101', '+18005550100', 'whatsapp:+14155238886'],
        body: 'Hi {{first_name}}, code {{code}}',
        media: ['{{image}}'],
        toColumn: 'phone',
        // Not about the compliance rules: sent at any hour.
        transactional: true,
        defaultCountry: 'US',
        // Fast enough that pacing, tested on its own, does not set this test's length.
        mps: 1000,
      },
      new Date(),
    );
    if (!built.ok) throw new Error(built.reason);
    spec = built.spec;
  });

  afterAll(async () => {
    await stack.close();
  });

  it('sends exactly one request per valid recipient and reports each bad row at its line', async () => {
    const rejectedPath = join(dir, 'three-channels.rejected.csv');
    const stderr: string[] = [];
    const summary = await runIngest(stack, {
      file: csv.path,
      spec,
      rejectedPath,
      chunkSize: 64,
      onRejected: (line, reason) => stderr.push(`line ${line}: ${reason}`),
    });
    expect(summary).toMatchObject({ queued: csv.valid.size, alreadyInCampaign: 2, rejected: csv.bad.size });
    expect(summary.byChannel).toEqual({ sms: 200, mms: 50, whatsapp: 40 });

    await waitForFinished(stack.store, spec.name);
    const requests = stack.sandbox.requests();
    const byTo = new Map<string, number>();
    for (const request of requests)
      byTo.set(String(request.params['To']), (byTo.get(String(request.params['To'])) ?? 0) + 1);
    expect(requests).toHaveLength(csv.valid.size);
    for (const [number, expected] of csv.valid) {
      const to = expected.channel === 'whatsapp' ? `whatsapp:${number}` : number;
      expect({ to, count: byTo.get(to) }).toEqual({ to, count: 1 });
    }
    for (const request of requests) {
      const to = String(request.params['To']);
      const expected = csv.valid.get(to.replace('whatsapp:', ''));
      expect(request.status).toBe(201);
      expect(request.params['Body']).toBe(expected?.body);
      if (expected?.channel === 'whatsapp') expect(request.params['From']).toBe('whatsapp:+14155238886');
      else expect(['+14155550100', '+14155550101', '+18005550100']).toContain(request.params['From']);
      if (expected?.channel === 'mms')
        expect(request.params['MediaUrl']).toEqual([
          expect.stringMatching(/^https:\/\/media\.example\.com\/m\d+\.png$/),
        ]);
    }

    const rejected = parse(readFileSync(rejectedPath), { columns: true, relax_column_count: true }) as Record<
      string,
      string
    >[];
    expect(rejected.map((row) => Number(row['line'])).sort((a, b) => a - b)).toEqual([...csv.bad.keys()]);
    for (const row of rejected) expect(row['reason']).toMatch(csv.bad.get(Number(row['line']))!);
    expect(rejected.find((row) => row['first_name'] === 'Dup')).toMatchObject({
      phone: '+14155551000',
      channel: 'whatsapp',
    });
    expect(stderr).toHaveLength(csv.bad.size);
    expect(stderr).toContain('line 3: recipient already in this campaign on another channel');
    expect(stderr).toContainEqual(expect.stringMatching(/^line \d+: invalid number: 555-0199/));

    const counts = await stack.store.counts(spec.name);
    expect(counts).toMatchObject({
      queued: 290,
      sent: 290,
      'sent:sms': 200,
      'sent:mms': 50,
      'sent:whatsapp': 40,
      rejected: csv.bad.size,
    });
    const sids = new Set(requests.map((request) => request.sid));
    for await (const entry of readLedger(stack.connection, stack.keys, spec.name)) {
      expect(entry.state).toBe('sent');
      if (entry.state === 'sent') expect(sids.has(entry.sid)).toBe(true);
    }
  });

  it('queues nobody again when the same file is run a second time', async () => {
    const before = stack.sandbox.requests().length;
    const summary = await runIngest(stack, {
      file: csv.path,
      spec,
      rejectedPath: join(dir, 'again.csv'),
      chunkSize: 100,
    });
    // The WhatsApp row for a number already texted by SMS counts as already in the campaign: a settled recipient's
    // ledger entry does not say which sender it went out on. Nothing is sent to it.
    expect(summary).toMatchObject({
      queued: 0,
      alreadyInCampaign: csv.valid.size + 3,
      rejected: csv.bad.size - 1,
      finished: true,
    });
    // That nothing is sent can only be seen by waiting: 0.3 s.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.sandbox.requests()).toHaveLength(before);
    expect(await stack.store.counts(spec.name)).toMatchObject({ queued: 290, sent: 290, rejected: csv.bad.size - 1 });
  });

  it('keeps the auth token out of everything it stored in Redis', async () => {
    const keys = await stack.connection.keys(`${stack.keys.prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      // A key may go between KEYS and DUMP (a completed job is removed); null then.
      const dump = await stack.connection.dumpBuffer(key);
      expect({ key, leaked: dump !== null && dump.includes(TEST_AUTH_TOKEN) }).toEqual({ key, leaked: false });
    }
  });
});
