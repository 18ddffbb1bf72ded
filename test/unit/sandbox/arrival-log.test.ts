import { describe, expect, it } from '@jest/globals';
import { ArrivalLog } from '../../../src/sandbox/arrival-log.js';

describe('ArrivalLog', () => {
  it('groups arrivals by sender, oldest first', () => {
    const log = new ArrivalLog();
    log.record('a', 1);
    log.record('b', 2);
    log.record('a', 3.5);
    expect(log.bySender()).toEqual(
      new Map([
        ['a', [1, 3.5]],
        ['b', [2]],
      ]),
    );
  });

  it('keeps only the newest `capacity` arrivals over all senders', () => {
    const log = new ArrivalLog(4);
    for (let at = 1; at <= 10; at += 1) log.record(at % 2 === 0 ? 'even' : 'odd', at);
    expect(log.bySender()).toEqual(
      new Map([
        ['odd', [7, 9]],
        ['even', [8, 10]],
      ]),
    );
    log.record('new', 11);
    expect(log.bySender()).toEqual(
      new Map([
        ['even', [8, 10]],
        ['odd', [9]],
        ['new', [11]],
      ]),
    );
  });

  it('forgets everything on clear', () => {
    const log = new ArrivalLog(2);
    log.record('a', 1);
    log.record('a', 2);
    log.record('a', 3);
    log.clear();
    expect(log.bySender()).toEqual(new Map());
    log.record('b', 4);
    expect(log.bySender()).toEqual(new Map([['b', [4]]]));
  });
});
