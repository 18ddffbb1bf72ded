import { describe, expect, it } from '@jest/globals';

import { reasonClassOf } from '../../../src/observe/reason-class.js';

describe('reasonClassOf', () => {
  it.each([
    ['21610', 'recipient'],
    ['21614', 'recipient'],
    ['21212', 'sender'],
    ['21606', 'sender'],
    ['20003', 'account'],
    ['invalid-content', 'content'],
    ['20429', 'throttled'],
    ['21611', 'throttled'],
    ['63038', 'throttled'],
    ['transient', 'transient'],
    ['http-503', 'transient'],
    ['interrupted', 'unknown'],
    ['no-answer', 'unknown'],
    ['not-written', 'transient'],
    ['30003', 'carrier'],
    ['30007', 'carrier'],
    ['30022', 'throttled'],
    ['30027', 'throttled'],
    ['63018', 'throttled'],
    ['63016', 'content'],
    ['63032', 'whatsapp'],
    ['63999', 'whatsapp'],
    ['39999', 'carrier'],
    ['21617', 'content'],
    ['lookup-failed', 'unknown'],
    ['21999', 'rejected'],
    ['http-404', 'rejected'],
    ['something-new', 'other'],
  ])('%s → %s', (code, expected) => {
    expect(reasonClassOf(code)).toBe(expected);
  });
});
