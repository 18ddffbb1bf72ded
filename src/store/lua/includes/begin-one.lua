--- @include "ledger-state"

-- Records that a send of `to` is about to start (recipientsKey: the ledger). Answers 'go' (the recipient is now in
-- flight), the earlier in-flight state `i:…` (a previous attempt may have reached Twilio), 'final:<state>' (already
-- settled: do nothing) or 'missing' (not in the ledger).
local function beginOne(recipientsKey, to, now, token)
  local current = redis.call('HGET', recipientsKey, to)
  local kind = kindOf(current)
  if not kind then return 'missing' end
  if kind == 'q' then
    redis.call('HSET', recipientsKey, to, inFlight(now, token))
    return 'go'
  end
  if kind == 'i' then return current end
  return 'final:' .. current
end
