-- Records one status callback if it moves the recipient forward, counting each recipient once: `delivered`,
-- `delivered:<channel>`, `read:<channel>`, `undelivered`, `undelivered:<channel>`, `undelivered:<channel>:<code>`
-- in the campaign's counts.
-- KEYS[1] the campaign's recipients (the ledger), KEYS[2] its receipts, KEYS[3] its counts.
-- ARGV[1] e164, ARGV[2] MessageSid, ARGV[3] status, ARGV[4] rank, ARGV[5] closed (0 or 1), ARGV[6] effect (none,
--   delivered, read or undelivered), ARGV[7] error code or 'none', ARGV[8] channel.
-- Returns 'recorded'; 'stale' (a later or final status is already recorded: a repeat or out of order);
-- 'unknown-recipient' (not in this campaign); 'other-message' (the ledger holds another SID for the recipient, or
-- says no message was created).

--- @include "ledger-state"
--- @include "receipt-record"

local ledger = redis.call('HGET', KEYS[1], ARGV[1])
local kind = kindOf(ledger)
if not kind then return 'unknown-recipient' end
-- In flight or unknown: the create may not have been recorded yet, or its answer was lost; Twilio's word counts.
if kind == 'q' or kind == 'f' then return 'other-message' end
if kind == 's' and detailOf(ledger) ~= ARGV[2] then return 'other-message' end

local delivered = '0'
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old then
  local rank, closed, wasDelivered = parseReceipt(old)
  if closed == '1' or tonumber(ARGV[4]) <= tonumber(rank) then return 'stale' end
  delivered = wasDelivered
end

local effect, code, channel = ARGV[6], ARGV[7], ARGV[8]
if (effect == 'delivered' or effect == 'read') and delivered == '0' then
  redis.call('HINCRBY', KEYS[3], 'delivered', 1)
  redis.call('HINCRBY', KEYS[3], 'delivered:' .. channel, 1)
  delivered = '1'
end
if effect == 'read' then redis.call('HINCRBY', KEYS[3], 'read:' .. channel, 1) end
if effect == 'undelivered' then
  redis.call('HINCRBY', KEYS[3], 'undelivered', 1)
  redis.call('HINCRBY', KEYS[3], 'undelivered:' .. channel, 1)
  redis.call('HINCRBY', KEYS[3], 'undelivered:' .. channel .. ':' .. code, 1)
end
redis.call('HSET', KEYS[2], ARGV[1], formatReceipt(ARGV[4], ARGV[5], delivered, ARGV[3], code, ARGV[2]))
return 'recorded'
