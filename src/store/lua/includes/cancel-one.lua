--- @include "ledger-state"

-- Marks `to` cancelled if it is still queued (never begun), counting it in countsKey. Returns 1 if this call marked
-- it; a recipient that a worker has begun (`i:`) or settled is left alone.
local function cancelOne(recipientsKey, countsKey, to)
  if kindOf(redis.call('HGET', recipientsKey, to)) ~= 'q' then return 0 end
  redis.call('HSET', recipientsKey, to, CANCELLED)
  redis.call('HINCRBY', countsKey, 'cancelled', 1)
  return 1
end
