-- Puts a recipient in flight back to queued after a failure that proves the request was not processed, so that a
-- retry cannot send it twice.
-- KEYS[1] the campaign's recipients (the ledger).
-- ARGV[1] e164, ARGV[2] the senderId it is queued on.
-- Returns 1 if released, 0 if it was not in flight.
--
-- It must work when Redis is out of memory: a release that fails leaves the in-flight mark, and the retry would then
-- record unknown a recipient whose request never left. Redis refuses a full server's script only at its first write
-- that can add data (HSET can, HDEL cannot), and lets the rest of a script that has written run; so the mark is
-- deleted first, and the shorter queued value put in its place. (A shebang with flags would change that: a flagged
-- script without allow-oom is refused whole.)

--- @include "ledger-state"

if kindOf(redis.call('HGET', KEYS[1], ARGV[1])) == 'i' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[1], ARGV[1], queuedOn(ARGV[2]))
  return 1
end
return 0
