import { describe, expect, it } from '@jest/globals';

import { drawBar, makeStatusDisplay } from '../../../src/cli/status-bar.js';
import type { CampaignName, CampaignSpec } from '../../../src/domain/campaign.js';
import { EXAMPLE_PRICES } from '../../../src/estimate/price-table.js';
import type { CampaignState } from '../../../src/queue/campaign-store.js';
import { buildStatusView } from '../../../src/status/format-status.js';

const NOW = Date.UTC(2026, 10, 23, 8);
const view = (state: CampaignState, sent: number, alive = 1) =>
  buildStatusView(
    {
      at: NOW,
      record: { spec: { name: 'c1' as CampaignName } as CampaignSpec, state, ingest: 'done', createdAt: '' },
      counts: { queued: 1_000_000, sent, failed: 0, unknown: 0, 'sent-units:sms:US': sent },
      ingest: { state: 'done' },
      senders: [{ senderId: 's12345', limitMps: 100 }],
      workers: { alive, lastSeenAt: NOW, at: NOW },
    },
    99.5,
    EXAMPLE_PRICES,
  );

/** A stream as a terminal or a pipe would be, recording what is written. */
function stream(tty: boolean, columns = 80) {
  const written: string[] = [];
  return {
    written,
    stream: { isTTY: tty, columns, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream,
  };
}

describe('herald status --watch', () => {
  it('on a terminal, redraws the block in place, every line within the width', () => {
    const { written, stream: out } = stream(true, 80);
    const display = makeStatusDisplay(out, 'UTC');
    display.update(view('running', 250_000));
    display.update(view('running', 500_000));
    expect(written[0]).not.toMatch(/\u001b/);
    const lines = written[0]!.trimEnd().split('\n');
    // The second draw goes back up over the first one and clears it.
    expect(written[1]!.startsWith(`\u001b[${lines.length}F\u001b[J`)).toBe(true);
    for (const line of written[1]!
      .replace(/^\u001b\[\d+F\u001b\[J/, '')
      .trimEnd()
      .split('\n'))
      expect(line.length).toBeLessThanOrEqual(79);
    expect(written[1]).toContain('50% settled');
  });

  it('in a log, one headline per update, and the notes only when they change (the cost aside) and at the end', () => {
    const { written, stream: out } = stream(false);
    const display = makeStatusDisplay(out, 'UTC');
    display.update(view('running', 1));
    display.update(view('running', 2));
    display.update(view('running', 3, 0));
    display.update(view('finished', 4));
    expect(written.map((text) => text.split('\n').length - 1)).toEqual([4, 1, 4, 2]);
    expect(written[2]).toMatch(/^c1: not sending: no worker has been seen for 0 s/);
  });

  it('draws a bar of settled over queued recipients in the room it has', () => {
    expect(drawBar(view('running', 250_000), 40)).toBe(`  [${'█'.repeat(6)}${'░'.repeat(18)}] 25% settled`);
    expect(drawBar(view('running', 250_000), 40)).toHaveLength(40);
    expect(drawBar(view('running', 0), 200).length).toBeLessThan(60);
  });
});
