import { describe, expect, it } from '@jest/globals';
import { serialiseList } from '../../../src/sandbox/json-chunks.js';

const item = (index: number) => ({
  index,
  sid: `SM${String(index).padStart(32, '0')}`,
  params: { To: `+1555${index}` },
});

describe('serialiseList', () => {
  it.each([0, 1, 999, 1000, 2501])('streams %i items as one valid JSON document', (count) => {
    const items = Array.from({ length: count }, (_, index) => item(index));
    const chunks = [...serialiseList('requests', items)];
    expect(JSON.parse(chunks.join(''))).toEqual({ requests: items });
    // Chunked by the thousand (plus the opening and closing), never one string for the whole list.
    expect(chunks).toHaveLength(2 + Math.ceil(count / 1000));
  });
});
