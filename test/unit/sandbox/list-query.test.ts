import { describe, expect, it } from '@jest/globals';
import { parseListQuery } from '../../../src/sandbox/list-query.js';

const parse = (query: string) => parseListQuery(new URLSearchParams(query));
const DAY = 86_400_000;
const MAY_1 = Date.UTC(2024, 4, 1);

describe('parseListQuery', () => {
  it('defaults to the first page of 50 with no filter', () => {
    expect(parse('')).toEqual({
      ok: true,
      query: { filter: {}, filterParams: [], pageSize: 50, page: 0, pageToken: undefined },
    });
  });

  it('reads To and From exactly', () => {
    expect(parse('To=%2B14155550199&From=whatsapp%3A%2B14155550100')).toMatchObject({
      ok: true,
      query: { filter: { to: '+14155550199', from: 'whatsapp:+14155550100' } },
    });
  });

  it('reads DateSent=YYYY-MM-DD as that UTC day', () => {
    expect(parse('DateSent=2024-05-01')).toMatchObject({
      query: { filter: { sentFrom: MAY_1, sentBefore: MAY_1 + DAY } },
    });
  });

  it('reads a DateSent date-time (how the SDK sends a Date) as its UTC day', () => {
    expect(parse('DateSent=2024-05-01T13:14:15Z')).toMatchObject({
      query: { filter: { sentFrom: MAY_1, sentBefore: MAY_1 + DAY } },
    });
  });

  it('reads DateSent<= and DateSent>= (the SDK’s dateSentBefore/After) as inclusive bounds', () => {
    // On the wire `DateSent<=x` is the key `DateSent<` with the value x.
    expect(parse('DateSent<=2024-05-01')).toMatchObject({ query: { filter: { sentBefore: MAY_1 + DAY } } });
    expect(parse('DateSent>=2024-05-01')).toMatchObject({ query: { filter: { sentFrom: MAY_1 } } });
    expect(parse('DateSent%3C=2024-05-01T10:00:00Z&DateSent%3E=2024-05-01T09:00:00Z')).toMatchObject({
      query: { filter: { sentFrom: MAY_1 + 9 * 3_600_000, sentBefore: MAY_1 + 10 * 3_600_000 + 1000 } },
    });
  });

  it('narrows when several date filters are given', () => {
    expect(parse('DateSent=2024-05-01&DateSent>=2024-05-01T12:00:00Z')).toMatchObject({
      query: { filter: { sentFrom: MAY_1 + 12 * 3_600_000, sentBefore: MAY_1 + DAY } },
    });
  });

  it('keeps the filter parameters for the page URIs', () => {
    expect(parse('To=%2B1555&DateSent<=2024-05-01&PageSize=2')).toMatchObject({
      query: {
        filterParams: [
          ['To', '+1555'],
          ['DateSent<', '2024-05-01'],
        ],
        pageSize: 2,
      },
    });
  });

  it('reads paging parameters and tokens', () => {
    const sid = `SM${'a'.repeat(32)}`;
    expect(parse(`PageSize=20&Page=3&PageToken=PA${sid}`)).toMatchObject({
      query: { pageSize: 20, page: 3, pageToken: { direction: 'after', sid } },
    });
    expect(parse(`PageToken=PB${sid}`)).toMatchObject({ query: { pageToken: { direction: 'before', sid } } });
  });

  it.each([
    ['DateSent=2024-13-45', 20422],
    ['DateSent=yesterday', 20422],
    ['PageSize=0', 20422],
    ['PageSize=ten', 20422],
    ['PageSize=1001', 20007],
    ['Page=-1', 20422],
    ['PageToken=XYZ', 21481],
  ])('refuses %s with %i', (query, code) => {
    expect(parse(query)).toMatchObject({ ok: false, error: { code, status: 400 } });
  });
});
