import { describe, expect, it } from '@jest/globals';

import { type E164 } from '../../../src/domain/e164.js';
import { parseSender, type Sender, senderAddress, senderId } from '../../../src/domain/sender.js';

const MG = 'MG0123456789abcdef0123456789ABCDEF';

describe('parseSender', () => {
  it.each<[string, Sender]>([
    ['+14155550100', { kind: 'long-code', number: '+14155550100' as E164 }],
    ['+1 (415) 555-0100', { kind: 'long-code', number: '+14155550100' as E164 }],
    ['+14165550100', { kind: 'long-code', number: '+14165550100' as E164 }],
    ['+447400123456', { kind: 'long-code', number: '+447400123456' as E164 }],
    ['+18005550100', { kind: 'toll-free', number: '+18005550100' as E164 }],
    ['+18335550100', { kind: 'toll-free', number: '+18335550100' as E164 }],
    ['+18445550100', { kind: 'toll-free', number: '+18445550100' as E164 }],
    ['+18555550100', { kind: 'toll-free', number: '+18555550100' as E164 }],
    ['+18665550100', { kind: 'toll-free', number: '+18665550100' as E164 }],
    ['+18775550100', { kind: 'toll-free', number: '+18775550100' as E164 }],
    ['+18885550100', { kind: 'toll-free', number: '+18885550100' as E164 }],
    ['12345', { kind: 'short-code', code: '12345' }],
    ['123456', { kind: 'short-code', code: '123456' }],
    [' 12345 ', { kind: 'short-code', code: '12345' }],
    ['whatsapp:+14155550100', { kind: 'whatsapp', number: '+14155550100' as E164 }],
    ['WhatsApp:+14155550100', { kind: 'whatsapp', number: '+14155550100' as E164 }],
    [MG, { kind: 'messaging-service', sid: MG }],
  ])('%j is %j', (input, sender) => {
    expect(parseSender(input)).toEqual({ ok: true, sender });
  });

  it.each([
    ['', 'expected +E.164'],
    ['1234', 'expected +E.164'],
    ['1234567', 'expected +E.164'],
    ['4155550100', 'expected +E.164'],
    ['MG0123', 'expected +E.164'],
    [`${MG}0`, 'expected +E.164'],
    ['MG0123456789abcdef0123456789abcdeg', 'expected +E.164'],
    ['+15555555555', 'invalid number'],
    ['+1415', 'invalid number'],
    ['whatsapp:', 'invalid number: empty'],
    ['whatsapp:+1415', 'invalid number'],
    ['whatsapp:hello', 'invalid number'],
  ])('refuses %j', (input, reason) => {
    const result = parseSender(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('senderId and senderAddress', () => {
  it.each<[Sender, string, string]>([
    [{ kind: 'long-code', number: '+14155550100' as E164 }, 'p14155550100', '+14155550100'],
    [{ kind: 'toll-free', number: '+18005550100' as E164 }, 't18005550100', '+18005550100'],
    [{ kind: 'short-code', code: '12345' }, 's12345', '12345'],
    [{ kind: 'whatsapp', number: '+14155550100' as E164 }, 'w14155550100', 'whatsapp:+14155550100'],
    [{ kind: 'messaging-service', sid: MG }, MG, MG],
  ])('%j → id %s, address %s', (sender, id, address) => {
    expect(senderId(sender)).toBe(id);
    expect(senderId(sender)).toMatch(/^[A-Za-z0-9]+$/);
    expect(senderAddress(sender)).toBe(address);
  });
});
