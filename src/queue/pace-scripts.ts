import { RedisScript } from './redis-script.js';

/**
 * Reserves the next send slot of one sender (a GCRA with no burst allowance): slots are spaced by the message's
 * cost over the sender's rate, and every process on every machine reserves from the same hash, timed by Redis's own
 * clock so that no two machines' clocks need agree.
 * KEYS[1] the sender's pace hash (fields: tat = the sender's next free time in ms, mps = its configured rate).
 * ARGV[1] cost (SMS segments, else 1), ARGV[2] rate to use when the hash has none, ARGV[3] 1 − headroom,
 * ARGV[4] horizon in ms.
 * Output: {1, ms until the reserved slot} when granted; {0, ms to wait before asking again} when the next free slot
 * lies beyond the horizon (nothing is reserved then).
 */
export const RESERVE_SLOT = new RedisScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tat', 'mps')
local mps = tonumber(state[2]) or tonumber(ARGV[2])
local tat = tonumber(state[1]) or now
if tat < now then tat = now end
local ahead = tat - now
local horizon = tonumber(ARGV[4])
if ahead > horizon then
  return {0, math.ceil(ahead - horizon)}
end
local interval = tonumber(ARGV[1]) * 1000 / (mps * tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat + interval))
return {1, math.ceil(ahead)}
`);

/**
 * Guards the moment a send actually leaves: it may not leave sooner after the sender's previous send than that
 * send's cost allows at the rate stretched by half the headroom. Reserved slots are stretched by the whole
 * headroom, so on-time sends pass; the guard holds back a send that would bunch up behind one that left late (a
 * cold process, a GC pause), which reserved slots alone cannot see, and the other half of the headroom absorbs the
 * jitter between leaving and arriving.
 * KEYS[1] the sender's pace hash (fields used: last = when the previous send left, ms; lastCost; mps).
 * ARGV[1] cost of this send, ARGV[2] rate to use when the hash has none, ARGV[3] 1 − headroom / 2.
 * Output: 0 when the send may leave now (and it is recorded as the last), else ms to wait before asking again.
 */
export const CLAIM_DISPATCH = new RedisScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'last', 'lastCost', 'mps')
local mps = tonumber(state[3]) or tonumber(ARGV[2])
local last = tonumber(state[1])
if last then
  local earliest = last + tonumber(state[2] or 1) * 1000 / (mps * tonumber(ARGV[3]))
  if now < earliest then return math.ceil(earliest - now) end
end
redis.call('HSET', KEYS[1], 'last', string.format('%.3f', now), 'lastCost', ARGV[1])
return 0
`);
