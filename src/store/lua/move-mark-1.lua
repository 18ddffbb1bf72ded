-- Moves one attempt's in-flight mark, if the recipient still holds exactly that mark: to its written form once the
-- attempt's request was handed to the operating system, or back to queued once an attempt is known never to have
-- written it. Any other state (settled, released, another attempt's mark) is left as it is, so a move that arrives
-- late never undoes a settle. No counter tells these states apart, so none moves.
-- KEYS[1] the campaign's recipients (the ledger).
-- ARGV[1] e164, ARGV[2] the attempt's mark as the caller expects it (in:…), ARGV[3] what it becomes (i:… or q:…).
-- Returns 1 if moved, else 0.

--- @include "ledger-state"

local to, expected, target = ARGV[1], ARGV[2], ARGV[3]
if kindOf(expected) ~= 'i' or (kindOf(target) ~= 'i' and kindOf(target) ~= 'q') then
  return redis.error_reply('move-mark cannot move ' .. expected .. ' to ' .. target)
end
if redis.call('HGET', KEYS[1], to) ~= expected then return 0 end
redis.call('HSET', KEYS[1], to, target)
return 1
