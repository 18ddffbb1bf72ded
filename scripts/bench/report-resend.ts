import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import { stringify } from 'csv-stringify';

import { buildCampaignSpec } from '../../src/cli/campaign-options.js';
import type { E164 } from '../../src/domain/e164.js';
import { stopChildrenOnExit } from '../../src/local/children.js';
import { startLocalRedis } from '../../src/local/redis-server.js';
import { CampaignStore } from '../../src/queue/campaign-store.js';
import { makeKeys } from '../../src/store/keys.js';
import { Ledger } from '../../src/store/ledger.js';
import { connectRedis } from '../../src/redis/redis-connection.js';
import { encodeDetail } from '../../src/store/recipient-detail.js';
import { REPORT_COLUMNS } from '../../src/report/report-row.js';
import { readReportRows } from '../../src/report/report-rows.js';
import { resendFailed } from '../../src/resend/resend-failed.js';

/**
 * `npm run bench:report`: what the per-recipient details cost in Redis, and how fast `herald report` and
 * `herald resend-failed` get through a settled campaign. A campaign of N recipients is claimed and settled as
 * failed with 20503 (curable) through the ledger's own scripts, each with its detail; then the report is
 * written to a file and every recipient resent. Prints one JSON line; figures are this machine's.
 */
const { values: flags } = parseArgs({
  options: { recipients: { type: 'string', default: '100000' }, quick: { type: 'boolean', default: false } },
});
const recipients = flags.quick ? 5_000 : Number(flags.recipients);
const SENDER = 'p14155550100';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-report-'));
  const redis = await startLocalRedis({ install: true });
  const connection = await connectRedis(redis.url, { role: 'command' });
  try {
    const keys = makeKeys('bench');
    const store = new CampaignStore(connection, keys);
    const ledger = new Ledger(connection, keys);
    const built = buildCampaignSpec(
      {
        campaign: 'bench',
        from: ['+14155550100'],
        body: 'Hi {{first_name}}, code {{code}}',
        media: [],
        toColumn: 'phone',
        // Sent at any hour: not about the compliance rules.
        transactional: true,
      },
      new Date(),
    );
    if (!built.ok) throw new Error(built.reason);
    const { spec } = built;
    await store.open(spec);
    const numberOf = (index: number) => `+1415${String(2_000_000 + index)}` as E164;
    for (let start = 0; start < recipients; start += 1000) {
      const chunk = Array.from({ length: Math.min(1000, recipients - start) }, (_, i) => numberOf(start + i));
      await ledger.claim(
        spec.name,
        chunk.map((to) => ({ to, senderId: SENDER, channel: 'sms' as const })),
      );
      await Promise.all(
        chunk.map((to, i) =>
          ledger.settle(
            spec.name,
            to,
            'sms',
            { state: 'failed', code: '20503' },
            encodeDetail({
              line: start + i + 2,
              senderId: SENDER,
              channel: 'sms',
              attempts: 5,
              queuedAt: Date.now(),
              settledAt: Date.now(),
              vars: { first_name: 'Alexandra', code: 'X7K2P9' },
            }),
          ),
        ),
      );
    }
    await ledger.finishIngest(spec.name);
    const detailBytes = Number(await connection.call('MEMORY', 'USAGE', keys.details(spec.name), 'SAMPLES', '0'));

    const record = (await store.get(spec.name))!;
    const reportStarted = performance.now();
    await pipeline(
      Readable.from(readReportRows(connection, keys, record)),
      stringify({ header: true, columns: [...REPORT_COLUMNS] }),
      createWriteStream(join(dir, 'report.csv')),
    );
    const reportSeconds = (performance.now() - reportStarted) / 1000;

    const resendStarted = performance.now();
    const summary = await resendFailed({ connection, keys, store }, record, { dryRun: false });
    const resendSeconds = (performance.now() - resendStarted) / 1000;
    const resent = Object.values(summary.resent).reduce((sum, n) => sum + n, 0);
    if (resent !== recipients) throw new Error(`resent ${resent} of ${recipients}`);

    const result = {
      bench: 'report-resend',
      recipients,
      detailBytesPerRecipient: Math.round(detailBytes / recipients),
      reportRowsPerSecond: Math.round(recipients / reportSeconds),
      resendPerSecond: Math.round(recipients / resendSeconds),
    };
    console.log(
      `${recipients} settled recipients: details ${result.detailBytesPerRecipient} B each (MEMORY USAGE of the ` +
        `details hash); report ${result.reportRowsPerSecond} rows/s; resend-failed ${result.resendPerSecond}/s`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await connection.quit();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

stopChildrenOnExit();
await main();
