import { describe, expect, it } from '@jest/globals';

import { assignSender, prepareSenderPool, selectCandidates } from '../../../src/domain/assign-sender.js';
import type { SenderEntry } from '../../../src/domain/campaign.js';
import type { E164 } from '../../../src/domain/e164.js';
import { senderId } from '../../../src/domain/sender.js';

const longCode = (index: number): SenderEntry => ({
  sender: { kind: 'long-code', number: `+1415555${String(1000 + index)}` as E164 },
});
const whatsapp = (index: number): SenderEntry => ({
  sender: { kind: 'whatsapp', number: `+1628555${String(1000 + index)}` as E164 },
});
const recipient = (index: number): E164 => `+1${String(2_000_000_000 + index * 7919)}` as E164;

/** Which sender id each of `count` recipients gets from `senders` over SMS. */
function assignAll(senders: readonly SenderEntry[], count: number): string[] {
  const pool = prepareSenderPool(senders);
  return Array.from({ length: count }, (_, index) => {
    const assigned = assignSender(pool, 'sms', recipient(index));
    if (!assigned.ok) throw new Error(assigned.reason);
    return assigned.senderId;
  });
}

describe('assignSender', () => {
  const twenty = Array.from({ length: 20 }, (_, index) => longCode(index));
  const recipients = 100_000;
  const before = assignAll(twenty, recipients);

  it('spreads recipients within ±10% of even over 20 senders', () => {
    const counts = new Map<string, number>();
    for (const id of before) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(20);
    const even = recipients / 20;
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(even * 0.9);
      expect(count).toBeLessThan(even * 1.1);
    }
  });

  it('gives a recipient the same sender whatever the order of the pool', () => {
    const reversed = assignAll([...twenty].reverse(), recipients);
    expect(reversed.filter((id, index) => id !== before[index])).toHaveLength(0);
  });

  it('moves only the recipients of a removed sender, about 1/20 of them', () => {
    const removed = senderId(twenty[7]!.sender);
    const after = assignAll(
      twenty.filter((_, index) => index !== 7),
      recipients,
    );
    const moved = after.flatMap((id, index) => (id === before[index] ? [] : [before[index]]));
    expect(moved.every((id) => id === removed)).toBe(true);
    expect(moved.length).toBe(before.filter((id) => id === removed).length);
    expect(moved.length / recipients).toBeGreaterThan(0.045);
    expect(moved.length / recipients).toBeLessThan(0.055);
  });

  it('moves only the recipients the added sender wins, about 1/21 of them', () => {
    const added = longCode(20);
    const after = assignAll([...twenty, added], recipients);
    const moved = after.filter((id, index) => id !== before[index]);
    expect(moved.every((id) => id === senderId(added.sender))).toBe(true);
    expect(moved.length / recipients).toBeGreaterThan(0.9 / 21);
    expect(moved.length / recipients).toBeLessThan(1.1 / 21);
  });

  it('only offers WhatsApp senders to WhatsApp and the others to SMS and MMS', () => {
    const pool = prepareSenderPool([longCode(0), whatsapp(0), whatsapp(1), longCode(1)]);
    for (let index = 0; index < 200; index++) {
      const to = recipient(index);
      const wa = assignSender(pool, 'whatsapp', to);
      const sms = assignSender(pool, 'sms', to);
      const mms = assignSender(pool, 'mms', to);
      expect(wa.ok && wa.entry.sender.kind).toBe('whatsapp');
      expect(sms.ok && sms.entry.sender.kind).toBe('long-code');
      // SMS and MMS draw from the same candidates, so a recipient keeps its number across both.
      expect(mms).toEqual(sms);
    }
  });

  it.each([
    ['whatsapp', [longCode(0)], 'no whatsapp sender in the pool'],
    ['sms', [whatsapp(0)], 'no SMS sender in the pool (only WhatsApp senders)'],
    ['mms', [], 'no MMS sender in the pool (only WhatsApp senders)'],
  ] as const)('refuses %s with %j', (channel, senders, reason) => {
    expect(assignSender(prepareSenderPool(senders), channel, recipient(1))).toEqual({ ok: false, reason });
  });

  it('returns the pool entry itself, with its throughput override', () => {
    const entry: SenderEntry = { sender: { kind: 'short-code', code: '12345' }, mps: 30 };
    const assigned = assignSender(prepareSenderPool([entry]), 'sms', recipient(3));
    expect(assigned).toEqual({ ok: true, entry, senderId: 's12345' });
    expect(assigned.ok && assigned.entry).toBe(entry);
  });

  it('selects candidates by channel', () => {
    const pool = prepareSenderPool([longCode(0), whatsapp(0)]);
    expect(selectCandidates(pool, 'whatsapp').map((candidate) => candidate.id)).toEqual(['w16285551000']);
    expect(selectCandidates(pool, 'mms').map((candidate) => candidate.id)).toEqual(['p14155551000']);
  });
});
