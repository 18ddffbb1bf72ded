-- Puts one settled recipient back to queued for `herald resend-failed`, moving its counters in the same step so
-- that the counts stay exact: a failed recipient leaves `failed` (and `failed:<channel>`, `failed:<channel>:<code>`);
-- a sent one whose receipt said undelivered leaves `sent` and `undelivered` (and their per-channel and per-code
-- fields), and its receipt is dropped so that the new message's receipts are recorded. A finished campaign is
-- running again. Each field it lowers has a `requeued:` twin it raises by as much, so that the totals exported to
-- Prometheus as counters (the field plus its twin, src/observe/count-fields.ts) never go down.
-- KEYS[1] the campaign's recipients (the ledger), KEYS[2] its counts, KEYS[3] its record, KEYS[4] its receipts.
-- ARGV[1] e164, ARGV[2] the ledger state the caller judged curable, ARGV[3] the senderId to queue it on,
--   ARGV[4] its channel.
-- Returns 1 requeued; 0 the recipient is no longer in that state (changed meanwhile, or already requeued), or it
-- is sent and its receipt does not say undelivered.

--- @include "ledger-state"
--- @include "receipt-record"

local to, expected, sender, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', KEYS[1], to) ~= expected then return 0 end
local function leave(field)
  redis.call('HINCRBY', KEYS[2], field, -1)
  redis.call('HINCRBY', KEYS[2], 'requeued:' .. field, 1)
end
local kind = kindOf(expected)
if kind == 'f' then
  local code = detailOf(expected)
  leave('failed')
  leave('failed:' .. channel)
  leave('failed:' .. channel .. ':' .. code)
elseif kind == 's' then
  local receipt = redis.call('HGET', KEYS[4], to)
  if not receipt then return 0 end
  local _, _, delivered, status, code = parseReceipt(receipt)
  if delivered ~= '0' or (status ~= 'undelivered' and status ~= 'failed') then return 0 end
  leave('sent')
  leave('sent:' .. channel)
  leave('undelivered')
  leave('undelivered:' .. channel)
  leave('undelivered:' .. channel .. ':' .. code)
  redis.call('HDEL', KEYS[4], to)
else
  return 0
end
redis.call('HSET', KEYS[1], to, queuedOn(sender))
redis.call('HINCRBY', KEYS[2], 'resent', 1)
if redis.call('HGET', KEYS[3], 'state') == 'finished' then
  redis.call('HSET', KEYS[3], 'state', 'running')
  redis.call('HDEL', KEYS[3], 'finishedAt')
end
return 1
