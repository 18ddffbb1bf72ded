import { EventEmitter } from 'node:events';

import { describe, expect, it } from '@jest/globals';

import { waitFor } from '../../helpers/wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value of a condition, sync or async', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? `call ${calls}` : undefined), { what: 'a third call', every: 1 })).toBe(
      'call 3',
    );
    expect(await waitFor(async () => ({ done: true }), { what: 'an async answer' })).toEqual({ done: true });
  });

  it('names what it waited for and what it saw last when a condition times out', async () => {
    let polls = 0;
    await expect(
      waitFor(() => ++polls < 0, { what: 'the impossible', timeout: 50, every: 5, detail: () => ({ polls }) }),
    ).rejects.toThrow(/^timed out after 50 ms waiting for the impossible; last seen: \{"polls":\d+\}$/);
    expect(polls).toBeGreaterThan(1);
  });

  it('resolves with the arguments of the first event that passes where, and stops listening', async () => {
    const emitter = new EventEmitter();
    const waiting = waitFor(
      { emitter, event: 'attempt', where: (outcome: unknown) => outcome === 'sent' },
      { what: 'a sent attempt' },
    );
    emitter.emit('attempt', 'retry', 1);
    emitter.emit('attempt', 'sent', 2);
    expect(await waiting).toEqual(['sent', 2]);
    expect(emitter.listenerCount('attempt')).toBe(0);
  });

  it('times out waiting for an event with its name, and stops listening', async () => {
    const emitter = new EventEmitter();
    await expect(
      waitFor({ emitter, event: 'never' }, { what: 'an event that never comes', timeout: 20 }),
    ).rejects.toThrow('timed out after 20 ms waiting for an event that never comes');
    expect(emitter.listenerCount('never')).toBe(0);
  });
});
