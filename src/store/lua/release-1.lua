-- Puts a recipient in flight back to queued after a failure that proves the request was not processed, so that a
-- retry cannot send it twice.
-- KEYS[1] the campaign's recipients (the ledger).
-- ARGV[1] e164, ARGV[2] the senderId it is queued on.
-- Returns 1 if released, 0 if it was not in flight.

--- @include "ledger-state"

if kindOf(redis.call('HGET', KEYS[1], ARGV[1])) == 'i' then
  redis.call('HSET', KEYS[1], ARGV[1], queuedOn(ARGV[2]))
  return 1
end
return 0
