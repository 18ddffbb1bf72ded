import { Presets, SingleBar } from 'cli-progress';

import { formatPace, formatStatusLine, formatTotals, type StatusView } from '../status/format-status.js';

export interface StatusBar {
  update(view: StatusView): void;
  /** Ends the bar and prints the final totals as a plain line. */
  stop(view: StatusView): void;
}

/**
 * `herald status --watch`: on a terminal, a bar of settled over queued recipients with every total, the rate
 * against the limit and the ETA; elsewhere (a pipe, a log, CI) one plain line per update.
 */
export function makeStatusBar(stream: NodeJS.WriteStream): StatusBar {
  if (stream.isTTY !== true) {
    return {
      update: (view) => void stream.write(`${formatStatusLine(view)}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    { stream, format: '{campaign} {state} {bar} {percentage}% | {totals} | {pace}', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  const payload = (view: StatusView) => ({
    campaign: view.campaign,
    // The bar has no room for the reason: the plain line (`herald status`) gives it.
    state: view.ingest === 'stopped' && view.state !== 'cancelled' ? `${view.state} (ingest stopped)` : view.state,
    totals: formatTotals(view),
    pace: formatPace(view),
  });
  return {
    update: (view) => {
      if (!started) {
        bar.start(Math.max(1, view.queued), view.settled, payload(view));
        started = true;
      }
      bar.setTotal(Math.max(1, view.queued));
      bar.update(view.settled, payload(view));
    },
    stop: (view) => {
      bar.stop();
      stream.write(`${formatStatusLine(view)}\n`);
    },
  };
}
