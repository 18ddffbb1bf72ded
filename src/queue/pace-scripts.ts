import { RedisScript } from './redis-script.js';

/**
 * Reserves the next send slots of one sender (a GCRA with no burst allowance): slots are spaced by each message's
 * cost over the sender's rate, and every process on every machine reserves from the same hash, timed by Redis's own
 * clock so that no two machines' clocks need agree. One call reserves for the sends a worker asks for in one turn of
 * its event loop, in order, as the same number of calls in a row at the same instant would.
 * KEYS[1] the sender's pace hash (fields: tat = the sender's next free time in ms, mps = its configured rate).
 * KEYS[2] the sender's hold hash (sender-holds.ts; same hash tag), so that a held sender's jobs ask in the same round
 * trip and reserve nothing.
 * ARGV[1] horizon in ms, ARGV[2] the caller's now in ms, by which a pause is judged run out,
 * as domain/sender-hold.ts judges it; then for each send, in order: its cost (SMS segments, else 1) and the rate to
 * use when the hash has none.
 * Output: {2, state, code, reason, since, until} when the sender is paused or halted (nothing is reserved); else,
 * for each send in order, {1, ms until its reserved slot} when granted or {0, ms to wait before asking again} when
 * the next free slot lies beyond the horizon (nothing is reserved for it), flattened into one list.
 */
export const RESERVE_SLOT = new RedisScript(`
local hold = redis.call('HMGET', KEYS[2], 'state', 'code', 'reason', 'since', 'until')
if hold[1] == 'halted' or (hold[1] == 'paused' and (tonumber(hold[5]) or 0) > tonumber(ARGV[2])) then
  return {2, hold[1], hold[2] or '', hold[3] or '', hold[4] or '0', hold[5] or '0'}
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tat', 'mps')
local tat = tonumber(state[1]) or now
if tat < now then tat = now end
local ahead = tat - now
local horizon = tonumber(ARGV[1])
local answers = {}
local reserved = false
for i = 3, #ARGV, 2 do
  if ahead > horizon then
    answers[#answers + 1] = 0
    answers[#answers + 1] = math.ceil(ahead - horizon)
  else
    local mps = tonumber(state[2]) or tonumber(ARGV[i + 1])
    -- Rounded as the hash stores it, so that the next send's slot is the one a call of its own would get.
    tat = tonumber(string.format('%.3f', tat + tonumber(ARGV[i]) * 1000 / mps))
    answers[#answers + 1] = 1
    answers[#answers + 1] = math.ceil(ahead)
    ahead = tat - now
    reserved = true
  end
end
if reserved then redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat)) end
return answers
`);

/**
 * Holds a sender back: its next slot is no earlier than `ms` from now, for every process (Twilio answered 20429 or
 * 21611 for it). Slots already reserved are kept; they lie within the horizon.
 * KEYS[1] the sender's pace hash. ARGV[1] ms. Output: the new next free time, ms.
 */
export const HOLD_BACK = new RedisScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or 0)
local until_ = now + tonumber(ARGV[1])
if until_ > tat then
  redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', until_))
  tat = until_
end
return math.floor(tat)
`);
