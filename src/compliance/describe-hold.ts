import { formatZoned } from '../lib/zoned-time.js';
import type { RecipientHold } from '../store/held-recipients.js';
import { ruleNameOf } from './legal-hold.js';

/**
 * What the report says of a recipient a compliance rule holds back, e.g. `quiet hours until 2026-12-07 09:00
 * America/Chicago (Texas (SB 140, from 2025-09-01) law)` or `frequency cap until 2026-12-07 21:14 UTC`. Pure.
 */
export function describeRecipientHold(hold: RecipientHold): string {
  switch (hold.reason) {
    case 'quiet-hours': {
      const zone = hold.zone ?? 'UTC';
      return `quiet hours until ${formatZoned(hold.until, zone)} (${ruleNameOf(hold.rule ?? 'federal')} law)`;
    }
    case 'frequency-cap':
      return `frequency cap (messages in 24 hours across campaigns) until ${formatZoned(hold.until, 'UTC')}`;
  }
}
