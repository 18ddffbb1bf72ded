-- Moves attempts' in-flight marks, each only if its recipient still holds exactly that mark: to the written form once
-- the attempt's request was handed to the operating system, or back to queued once an attempt is known never to have
-- written it. Any other state (settled, released, another attempt's mark) is left as it is, so a move that arrives
-- late never undoes a settle. No counter tells these states apart, so none moves. The moves of the sends that reach
-- this step in one turn of a worker's event loop come in one call (tick-batch.ts).
-- KEYS[1] the campaign's recipients (the ledger).
-- ARGV: triples of e164, the attempt's mark as the caller expects it (in:…), what it becomes (i:… or q:…).
-- Returns, per triple in order, 1 if moved, else 0.

--- @include "ledger-state"

local moved = {}
for index = 1, #ARGV, 3 do
  local to, expected, target = ARGV[index], ARGV[index + 1], ARGV[index + 2]
  if kindOf(expected) ~= 'i' or (kindOf(target) ~= 'i' and kindOf(target) ~= 'q') then
    return redis.error_reply('move-mark cannot move ' .. expected .. ' to ' .. target)
  end
  if redis.call('HGET', KEYS[1], to) == expected then
    redis.call('HSET', KEYS[1], to, target)
    moved[#moved + 1] = 1
  else
    moved[#moved + 1] = 0
  end
end
return moved
