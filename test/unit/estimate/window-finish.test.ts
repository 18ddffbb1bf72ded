import { describe, expect, it } from '@jest/globals';

import { usHoursOf } from '../../../src/compliance/legal-hold.js';
import { legalClosingAt, nextLegalInstant } from '../../../src/compliance/quiet-hours.js';
import type { E164 } from '../../../src/domain/e164.js';
import { parseSendWindow, type SendWindow } from '../../../src/domain/send-window.js';
import {
  bothHours,
  estimateHoursFinish,
  estimateWindowFinish,
  type OpenHours,
  windowHours,
} from '../../../src/estimate/window-finish.js';
import { instantOfWallTime } from '../../../src/lib/zoned-time.js';

const window = (text: string): SendWindow => {
  const parsed = parseSendWindow(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.window;
};
const ny = (day: number, hour: number, minute = 0) =>
  instantOfWallTime({ year: 2026, month: 11, day, hour, minute }, 'America/New_York');
const NY = ['America/New_York'];
const LA = ['America/Los_Angeles'];

describe('estimateWindowFinish', () => {
  it('is the plain duration when the window stays open throughout', () => {
    expect(estimateWindowFinish([{ zones: NY, cost: 60 }], 1, window('09:00-20:00'), ny(23, 10))).toBe(ny(23, 10, 1));
  });

  it('stops at the window’s end and goes on when it opens the next morning', () => {
    // 60 sent from 19:59 to 20:00, the other 60 from 09:00 the next day.
    expect(estimateWindowFinish([{ zones: NY, cost: 120 }], 1, window('09:00-20:00'), ny(23, 19, 59))).toBe(
      ny(24, 9, 1),
    );
    // Started at night: nothing until 09:00.
    expect(estimateWindowFinish([{ zones: NY, cost: 30 }], 0.5, window('09:00-20:00'), ny(23, 22))).toBe(ny(24, 9, 1));
  });

  it('sends to the zone whose window closes first, then to the later one', () => {
    // At 19:00 New York time New York has an hour left and Los Angeles four: both fit, one after the other.
    const finish = estimateWindowFinish(
      [
        { zones: LA, cost: 3600 },
        { zones: NY, cost: 3600 },
      ],
      1,
      window('09:00-20:00'),
      ny(23, 19),
    );
    expect(finish).toBe(ny(23, 21));
  });

  it('never waits for a number with no zone, and gives up on a window that never opens', () => {
    expect(estimateWindowFinish([{ zones: [], cost: 10 }], 1, window('09:00-20:00'), ny(23, 23))).toBe(
      ny(23, 23) + 10_000,
    );
    expect(estimateWindowFinish([], 1, window('09:00-20:00'), ny(23, 23))).toBe(ny(23, 23));
  });

  it('takes days when the volume exceeds what the windows hold', () => {
    // 11 hours a day at 1/s: 100,000 units take 2 full days and part of a third.
    const finish = estimateWindowFinish([{ zones: NY, cost: 100_000 }], 1, window('09:00-20:00'), ny(23, 9))!;
    expect(finish).toBe(ny(25, 9) + (100_000 - 2 * 39_600) * 1000);
  });
});

describe('estimateHoursFinish with the law’s hours', () => {
  const miami = usHoursOf('+13055550100' as E164)!;
  const law: OpenHours = {
    openingAt: (t) => nextLegalInstant(miami, new Date(t)).getTime(),
    closingAt: (t) => legalClosingAt(miami, new Date(t)).getTime(),
  };

  it('waits for the next legal minute, and stops at the state’s closing time', () => {
    // 22:00 in Miami: a minute's sending starts at 08:00 the next day.
    expect(estimateHoursFinish([{ hours: law, cost: 60 }], 1, ny(23, 22))).toBe(ny(24, 8, 1));
    // 19:30: half an hour before Florida's 20:00, then the rest from 08:00.
    expect(estimateHoursFinish([{ hours: law, cost: 3600 }], 1, ny(23, 19, 30))).toBe(ny(24, 8, 30));
  });

  it('with a window too, sends only where both allow', () => {
    const both = bothHours(law, windowHours(window('09:00-20:00'), NY, ny(23, 22)));
    expect(estimateHoursFinish([{ hours: both, cost: 60 }], 1, ny(23, 22))).toBe(ny(24, 9, 1));
  });
});
