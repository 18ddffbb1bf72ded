import { type StatusView } from '../status/format-status.js';
import { formatStatusBlock } from '../status/status-block.js';
import { statusNotes } from '../status/status-notes.js';

export interface StatusDisplay {
  update(view: StatusView): void;
  /** Leaves the last state on screen. */
  stop(): void;
}

/** Widest the bar gets, so that a wide terminal does not stretch it across the screen. */
const MAX_BAR = 40;

/**
 * `herald status --watch`. On a terminal: a block redrawn in place (the headline, a bar of settled over queued
 * recipients, every total, the pace and the notes), every line fitted to the terminal's width so that nothing wraps
 * or is cut mid-number. Elsewhere (a pipe, a log, CI): the headline as one line per update, and the notes when one
 * of them changes (the cost aside) and at the end.
 */
export function makeStatusDisplay(stream: NodeJS.WriteStream, zone: string): StatusDisplay {
  if (stream.isTTY !== true) {
    let shown = '';
    return {
      update: (view) => {
        const [headline = '', ...notes] = formatStatusBlock(view, zone);
        // The cost moves with every send: a log gets the notes when anything else in them changes, and at the end.
        const key = statusNotes(view, zone)
          .filter(([label]) => label !== 'cost')
          .join('\n');
        const final = view.state === 'finished' || view.state === 'cancelled';
        stream.write(`${[headline, ...(key !== shown || final ? notes : [])].join('\n')}\n`);
        shown = key;
      },
      stop: () => undefined,
    };
  }
  let drawn = 0;
  return {
    update: (view) => {
      // One column spare: some terminals wrap a line that fills the last column.
      const width = Math.max(20, (stream.columns || 80) - 1);
      const lines = formatStatusBlock(view, zone, { width, bar: (room) => drawBar(view, room) });
      // Back to the block's first line, clear it and what follows, and draw it again.
      const rewind = drawn > 0 ? `\u001b[${drawn}F\u001b[J` : '';
      stream.write(`${rewind}${lines.join('\n')}\n`);
      drawn = lines.length;
    },
    stop: () => undefined,
  };
}

/** `  [██████░░░░░░░░] 45% settled`, as wide as the room allows up to MAX_BAR cells. Pure. */
export function drawBar(view: StatusView, room: number): string {
  const share = view.queued === 0 ? 0 : Math.min(1, view.settled / view.queued);
  const label = ` ${Math.floor(share * 100)}% settled`;
  const cells = Math.max(5, Math.min(MAX_BAR, room - label.length - 4));
  const full = Math.round(share * cells);
  return `  [${'█'.repeat(full)}${'░'.repeat(cells - full)}]${label}`;
}
