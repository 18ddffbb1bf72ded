import { describe, expect, it } from '@jest/globals';

import { pairedRatios, renderSummaryTable, spreadOf } from '../../../scripts/bench/lib/stats.js';

describe('benchmark statistics', () => {
  it('summarise runs as min / median / max and pair run i of each side', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spreadOf([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
    expect(pairedRatios([10, 30], [20, 30])).toEqual([0.5, 1]);
  });

  it('render every benchmark’s rows in one table, with a dash where a measure has no baseline', () => {
    const table = renderSummaryTable([
      {
        bench: 'ingest',
        measure: 'rows/s',
        herald: { min: 9000, median: 9500, max: 9900 },
        baseline: { min: 12000, median: 12500, max: 13000 },
        ratio: { min: 0.7, median: 0.76, max: 0.8 },
        target: 'ratio ≥ 0.7',
        pass: true,
      },
      {
        bench: 'throttle',
        measure: 'achieved ÷ limit',
        herald: { min: 0.97, median: 0.972, max: 0.977 },
        target: '≥ 0.95',
        pass: false,
        digits: 3,
      },
    ]).split('\n');
    expect(table).toEqual([
      '| benchmark | measure | herald (min / median / max) | baseline | ratio herald ÷ baseline | target | met |',
      '|---|---|---|---|---|---|---|',
      '| ingest | rows/s | 9,000 / **9,500** / 9,900 | 12,000 / **12,500** / 13,000 | 0.70 / **0.76** / 0.80 | ratio ≥ 0.7 | yes |',
      '| throttle | achieved ÷ limit | 0.970 / **0.972** / 0.977 | – | – | ≥ 0.95 | **no** |',
    ]);
  });
});
