import { describe, expect, it } from '@jest/globals';
import { DailyCounts, makeDailyCapError } from '../../../src/sandbox/daily-cap.js';

const DAY = 86_400_000;
const NOON = Date.UTC(2024, 4, 1, 12);

describe('DailyCounts', () => {
  it('counts per sender and starts again on the next UTC day', () => {
    const counts = new DailyCounts();
    counts.add('+14155550100', NOON);
    counts.add('+14155550100', NOON + 1000);
    counts.add('MGx', NOON);
    expect(counts.countToday('+14155550100', NOON + 2000)).toBe(2);
    expect(counts.countToday('MGx', NOON)).toBe(1);
    expect(counts.countToday('+14155550999', NOON)).toBe(0);
    expect(counts.countToday('+14155550100', NOON + DAY / 2)).toBe(0);
    counts.add('+14155550100', NOON + DAY / 2);
    expect(counts.countToday('+14155550100', NOON + DAY / 2)).toBe(1);
    counts.clear();
    expect(counts.countToday('MGx', NOON)).toBe(0);
  });
});

describe('makeDailyCapError', () => {
  it('is a 429 with 63038 in Twilio’s words', () => {
    expect(makeDailyCapError(`AC${'1'.repeat(32)}`, 500)).toEqual({
      status: 429,
      code: 63038,
      message: `Account AC${'1'.repeat(32)} exceeded the 500 daily messages limit`,
    });
  });
});
