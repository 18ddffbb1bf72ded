import { describe, expect, it } from '@jest/globals';

import { readReplyIntent } from '../../../src/compliance/reply-keyword.js';

describe('readReplyIntent', () => {
  it.each([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    ['  Stop.  ', 'opt-out'],
    ['STOP!', 'opt-out'],
    ['StopAll', 'opt-out'],
    ['unsubscribe', 'opt-out'],
    ['Cancel', 'opt-out'],
    ['END', 'opt-out'],
    ['quit', 'opt-out'],
    ['Revoke', 'opt-out'],
    ['optout', 'opt-out'],
    ['OPT OUT', 'opt-out'],
    ['opt-out', 'opt-out'],
    ['"Opt  out"', 'opt-out'],
    ['START', 'opt-in'],
    ['unstop', 'opt-in'],
    ['Yes', 'opt-in'],
    ['HELP', 'help'],
    ['info?', 'help'],
    ['Stop please', 'opt-out'],
    ['ok STOP', 'opt-out'],
    ['Please opt out', 'opt-out'],
    ['stop texting me', 'opt-out'],
    ["can't stop smiling, thanks", 'other'],
    ['please unsubscribe me', 'opt-out'],
    ['I want to opt out now', 'opt-out'],
    ['cancel my order from yesterday', 'opt-out'],
    ['can you cancel my order from yesterday', 'other'],
    ['yes please', 'other'],
    ['stopping by later', 'other'],
    ['', 'other'],
    ['Thanks!', 'other'],
  ])('%j is %s', (body, intent) => {
    expect(readReplyIntent(body)).toBe(intent);
  });

  it("takes Twilio's OptOutType over the text", () => {
    expect(readReplyIntent('arrêt', 'STOP')).toBe('opt-out');
    expect(readReplyIntent('STOP', 'START')).toBe('opt-in');
    expect(readReplyIntent('aide', 'HELP')).toBe('help');
    expect(readReplyIntent('STOP', 'SOMETHING-ELSE')).toBe('opt-out');
  });
});
