import { describe, expect, it } from '@jest/globals';

import {
  formatSendWindow,
  isOpenIn,
  nextOpening,
  nextOpeningInAll,
  parseSendWindow,
  type SendWindow,
} from '../../../src/domain/send-window.js';

const window = (text: string): SendWindow => {
  const parsed = parseSendWindow(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.window;
};
const at = (iso: string) => new Date(iso);

describe('parseSendWindow', () => {
  it.each([
    ['09:00-20:00', { start: 540, end: 1200 }],
    [' 08:30-17:45 ', { start: 510, end: 1065 }],
    ['22:00-06:00', { start: 1320, end: 360 }],
    ['00:00-24:00', undefined],
    ['09:00-24:00', { start: 540, end: 0 }],
  ])('reads %s', (text, expected) => {
    const parsed = parseSendWindow(text);
    if (expected === undefined) expect(parsed.ok).toBe(false);
    else expect(parsed).toEqual({ ok: true, window: expected });
  });

  it.each(['9-20', '09:00', '25:00-26:00', '09:60-10:00', '09:00-24:30', '09:00–20:00', '10:00-10:00'])(
    'refuses %s with one line',
    (text) => {
      const parsed = parseSendWindow(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/^--window "/);
    },
  );

  it('formats back to what it read', () => {
    for (const text of ['09:00-20:00', '22:15-06:05', '09:00-24:00']) expect(formatSendWindow(window(text))).toBe(text);
  });
});

describe('isOpenIn', () => {
  const day = window('09:00-20:00');
  it.each([
    ['2026-07-01T15:59:59Z', 'America/New_York', true], // 11:59 EDT
    ['2026-07-01T12:59:00Z', 'America/New_York', false], // 08:59 EDT
    ['2026-07-01T13:00:00Z', 'America/New_York', true], // 09:00 EDT
    ['2026-07-01T23:59:00Z', 'America/New_York', true], // 19:59 EDT
    ['2026-07-02T00:00:00Z', 'America/New_York', false], // 20:00 EDT: the end is exclusive
    ['2026-01-15T13:00:00Z', 'America/New_York', false], // 08:00 EST in winter
    ['2026-01-15T14:00:00Z', 'America/New_York', true],
    ['2026-07-01T03:30:00Z', 'Asia/Kolkata', true], // 09:00 IST (+05:30)
  ])('at %s in %s: %s', (iso, zone, open) => {
    expect(isOpenIn(day, zone, at(iso))).toBe(open);
  });

  it('spans midnight when the end is before the start', () => {
    const night = window('22:00-06:00');
    expect(isOpenIn(night, 'UTC', at('2026-07-01T23:00:00Z'))).toBe(true);
    expect(isOpenIn(night, 'UTC', at('2026-07-01T05:59:00Z'))).toBe(true);
    expect(isOpenIn(night, 'UTC', at('2026-07-01T06:00:00Z'))).toBe(false);
    expect(isOpenIn(night, 'UTC', at('2026-07-01T12:00:00Z'))).toBe(false);
  });
});

describe('nextOpening', () => {
  const day = window('09:00-20:00');

  it('is now when the window is open', () => {
    expect(nextOpening(day, ['Europe/London'], at('2026-07-01T10:00:00Z'))).toEqual(at('2026-07-01T10:00:00Z'));
  });

  it('is the next local 09:00, to the minute, when it is closed', () => {
    // 21:30:15 BST → 09:00 BST next day = 08:00Z.
    expect(nextOpening(day, ['Europe/London'], at('2026-07-01T20:30:15Z'))).toEqual(at('2026-07-02T08:00:00Z'));
    // 07:10 BST → 09:00 BST the same day.
    expect(nextOpening(day, ['Europe/London'], at('2026-07-01T06:10:00Z'))).toEqual(at('2026-07-01T08:00:00Z'));
  });

  it('follows a DST change: the opening after the spring-forward night is 09:00 of the new offset', () => {
    // New York springs forward on 2026-03-08; 23:00 EST on the 7th → 09:00 EDT on the 8th = 13:00Z.
    expect(nextOpening(day, ['America/New_York'], at('2026-03-08T04:00:00Z'))).toEqual(at('2026-03-08T13:00:00Z'));
  });

  it('needs the window open in every zone of a number that spans several', () => {
    // 09:00 in Chicago is 08:00 in Denver: a Central+Mountain number waits for 09:00 Mountain.
    const zones = ['America/Chicago', 'America/Denver'];
    expect(nextOpening(day, zones, at('2026-07-01T14:00:00Z'))).toEqual(at('2026-07-01T15:00:00Z'));
    // 19:30 Mountain is 20:30 Central: closed in Chicago, so the next opening is tomorrow's 09:00 Mountain.
    expect(nextOpening(day, zones, at('2026-07-02T01:30:00Z'))).toEqual(at('2026-07-02T15:00:00Z'));
  });

  it('times zones that share no open minute by the zone in the middle of their offsets', () => {
    // Guam is 13 h ahead of Halifax: its 09:00–20:00 is Halifax's 20:00–07:00.
    const zones = ['Pacific/Guam', 'America/Halifax', 'America/Chicago', 'America/Denver'];
    expect(nextOpeningInAll(day, zones, at('2026-07-01T02:00:00Z'))).toBeUndefined();
    // The middle offset is Chicago's (-05:00); 02:00Z is 21:00 there, and its next 09:00 CDT is 14:00Z.
    expect(nextOpening(day, zones, at('2026-07-01T02:00:00Z'))).toEqual(at('2026-07-01T14:00:00Z'));
  });

  it('applies no window to a number without zones', () => {
    expect(nextOpening(day, [], at('2026-07-01T03:00:00Z'))).toEqual(at('2026-07-01T03:00:00Z'));
  });
});
