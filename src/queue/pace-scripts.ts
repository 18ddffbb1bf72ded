import { RedisScript } from '../store/redis-script.js';

/**
 * Reserves the next send slots of one sender (a GCRA with no burst allowance): slots are spaced by each message's
 * cost over the sender's rate, and every process on every machine reserves from the same hash, timed by Redis's own
 * clock so that no two machines' clocks need agree. One call reserves for the sends a worker asks for in one turn of
 * its event loop, in order, as the same number of calls in a row at the same instant would.
 * KEYS[1] the sender's pace hash (fields: tat = the sender's next free time in ms, mps = its configured rate).
 * KEYS[2] the sender's hold hash (sender-holds.ts; same hash tag), so that a held sender's jobs ask in the same round
 * trip and reserve nothing.
 * ARGV[1] 1 − headroom, ARGV[2] horizon in ms, ARGV[3] the caller's now in ms, by which a pause is judged run out,
 * as domain/sender-hold.ts judges it; then for each send, in order: its cost (SMS segments, else 1) and the rate to
 * use when the hash has none.
 * Output: {2, state, code, reason, since, until} when the sender is paused or halted (nothing is reserved); else,
 * for each send in order, {1, ms until its reserved slot} when granted or {0, ms to wait before asking again} when
 * the next free slot lies beyond the horizon (nothing is reserved for it), flattened into one list.
 */
export const RESERVE_SLOT = new RedisScript(`
local hold = redis.call('HMGET', KEYS[2], 'state', 'code', 'reason', 'since', 'until')
if hold[1] == 'halted' or (hold[1] == 'paused' and (tonumber(hold[5]) or 0) > tonumber(ARGV[3])) then
  return {2, hold[1], hold[2] or '', hold[3] or '', hold[4] or '0', hold[5] or '0'}
end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tat', 'mps')
local tat = tonumber(state[1]) or now
if tat < now then tat = now end
local ahead = tat - now
local horizon = tonumber(ARGV[2])
local answers = {}
local reserved = false
for i = 4, #ARGV, 2 do
  if ahead > horizon then
    answers[#answers + 1] = 0
    answers[#answers + 1] = math.ceil(ahead - horizon)
  else
    local mps = tonumber(state[2]) or tonumber(ARGV[i + 1])
    -- Rounded as the hash stores it, so that the next send's slot is the one a call of its own would get.
    tat = tonumber(string.format('%.3f', tat + tonumber(ARGV[i]) * 1000 / (mps * tonumber(ARGV[1]))))
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
 * Guards the moment a send actually leaves, with a log of the sender's recent dispatches: a send may leave if the
 * cost that left in the last window, plus its own, stays within the limit. The window is a second stretched by half
 * the headroom (1020 ms at 4%), which leaves the other half for jitter between leaving and arriving; a message that
 * alone costs more than a second's limit (3 segments at 1 segment/s) needs the window of its own cost to be empty.
 * On-time sends pass, as slots are spaced with the whole headroom; a send that would bunch up behind one that left
 * late (a cold process, a GC pause) waits, and unlike a rule on the gap to the previous send, one late send does not
 * delay every send after it.
 * A sender's first seconds after a quiet spell (its log had expired) are when sends arrive latest: every process
 * opens connections and queues at once. Sends that leave then are logged as leaving a start margin later than they
 * do, so the sends of the next window keep that much more distance from them.
 * One call claims for the sends a worker asks to let go in one turn of its event loop, in order, each logged as its
 * own member, as the same number of calls in a row at the same instant would.
 * KEYS[1] the sender's dispatch log (sorted set: score = when a send counts as leaving, ms; member =
 * "<ms>:<cost>:<nonce>"). KEYS[2] the sender's pace hash (field mps; field sent = cost in the log; field since =
 * when the sender last became active, ms).
 * ARGV[1] 1 − headroom / 2, ARGV[2] start margin in ms, ARGV[3] how long the start lasts in ms; then for each send,
 * in order: its cost, the rate to use when the hash has none, a nonce, and a member it logged earlier and withdraws
 * first, because its send did not leave then (the answer reached the caller too late to count as the moment it
 * left, see sender-pacer.ts), or ''.
 * Output, for each send in order: {the logged member, 1 if the window now holds more than the limit less the
 * headroom, else 0} when the send may leave now (a late answer only matters then: see sender-pacer.ts), else ms to
 * wait before asking again.
 */
export const CLAIM_DISPATCH = new RedisScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
-- Every send this call lets go is logged at the same instant.
local stamp = string.format('%.3f', now)
local pace = redis.call('HMGET', KEYS[2], 'mps', 'sent', 'since')
local function cost_of(member)
  return tonumber(string.match(member, '^[^:]+:([^:]+):'))
end
local sent = tonumber(pace[2] or 0)
local since = tonumber(pace[3] or 0)
-- The log expires after a quiet window (PEXPIRE below) and takes its members with it: nothing is in the window,
-- and the sender starts again.
if redis.call('EXISTS', KEYS[1]) == 0 then
  sent = 0
  since = now
  redis.call('HSET', KEYS[2], 'since', stamp)
end
local margin = 0
if now - since < tonumber(ARGV[3]) then margin = tonumber(ARGV[2]) end
-- Members below this score are gone already: a send with the same window or a shorter one finds none to expire.
local expired_below = nil
local expiry = nil
local changed = false
local answers = {}
for i = 4, #ARGV, 4 do
  local cost = tonumber(ARGV[i])
  local mps = tonumber(pace[1]) or tonumber(ARGV[i + 1])
  local window = math.max(1, cost / mps) * 1000 / tonumber(ARGV[1])
  local allowed = math.max(mps, cost)
  local withdraw = ARGV[i + 3]
  local withdrawn = withdraw ~= '' and redis.call('ZREM', KEYS[1], withdraw) == 1
  if withdrawn then sent = sent - cost_of(withdraw) end
  local bound = now - window
  local expired = {}
  if expired_below == nil or bound > expired_below then
    expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. bound)
    for _, member in ipairs(expired) do
      sent = sent - cost_of(member)
    end
    if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. bound) end
    expired_below = bound
  end
  if withdrawn or #expired > 0 then
    if sent < 0 then sent = 0 end
    changed = true
  end
  if sent + cost > allowed then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    answers[#answers + 1] = math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
  else
    local member = stamp .. ':' .. cost .. ':' .. ARGV[i + 2]
    redis.call('ZADD', KEYS[1], now + margin, member)
    expiry = math.ceil(window + margin) + 1000
    sent = sent + cost
    changed = true
    local tight = 0
    if sent > allowed * (1 - 2 * (1 - tonumber(ARGV[1]))) then tight = 1 end
    answers[#answers + 1] = {member, tight}
  end
end
if expiry then redis.call('PEXPIRE', KEYS[1], expiry) end
if changed then redis.call('HSET', KEYS[2], 'sent', sent) end
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
