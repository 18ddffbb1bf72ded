-- Claims recipients for a campaign before their jobs are added, counting each new one as queued.
-- KEYS[1] the campaign's recipients (the ledger), KEYS[2] its counts.
-- ARGV[1] one line per recipient, `<e164> <senderId> <channel>`, lines joined by newlines: a chunk's thousand
--   recipients cost the client one argument to encode instead of three thousand.
-- Returns one integer per line: 1 new (now queued on that sender); 0 already queued on the same sender and never
-- attempted (its job may be added again: BullMQ dedupes by job id, and an interrupted run is resumed this way);
-- 2 already attempted or settled (nothing to add); -1 queued on another sender, i.e. the same number on another
-- channel (must not be queued).

--- @include "ledger-state"

local out = {}
for to, sender, channel in string.gmatch(ARGV[1], '(%S+) (%S+) (%S+)') do
  local current = redis.call('HGET', KEYS[1], to)
  local kind = kindOf(current)
  if not kind then
    redis.call('HSET', KEYS[1], to, queuedOn(sender))
    redis.call('HINCRBY', KEYS[2], 'queued', 1)
    redis.call('HINCRBY', KEYS[2], 'queued:' .. channel, 1)
    out[#out + 1] = 1
  elseif current == queuedOn(sender) then
    out[#out + 1] = 0
  elseif kind == 'q' then
    out[#out + 1] = -1
  else
    out[#out + 1] = 2
  end
end
return out
