import { RedisScript } from '../store/redis-script.js';

/**
 * Puts a sender (or the account) on hold, and says whether this call is the one that did, so that exactly one
 * process logs it however many sends hit the same error at once. A halt replaces a pause; a pause never replaces a
 * halt; a second pause while one runs only pushes its end later.
 * KEYS[1] the hold hash (fields state, code, reason, since, until).
 * ARGV[1] 'paused' | 'halted', ARGV[2] code, ARGV[3] reason, ARGV[4] now (ms), ARGV[5] until (ms; pauses only).
 * Output: 1 when the hold is new (the sender was sending until now), else 0.
 */
export const HOLD = new RedisScript(`
local current = redis.call('HMGET', KEYS[1], 'state', 'until')
local now = tonumber(ARGV[4])
local running = current[1] ~= 'halted' and not (current[1] == 'paused' and tonumber(current[2] or 0) > now)
if ARGV[1] == 'halted' then
  if current[1] == 'halted' then return 0 end
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'state', 'halted', 'code', ARGV[2], 'reason', ARGV[3], 'since', ARGV[4])
  return 1
end
if current[1] == 'halted' then return 0 end
local until_ = tonumber(ARGV[5])
if running then
  redis.call('HSET', KEYS[1], 'state', 'paused', 'code', ARGV[2], 'reason', ARGV[3], 'since', ARGV[4], 'until', ARGV[5])
elseif until_ > tonumber(current[2]) then
  redis.call('HSET', KEYS[1], 'until', ARGV[5])
end
-- A pause that has run out is no hold (domain/sender-hold.ts); the hash goes a day later, kept for the record.
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(tonumber(redis.call('HGET', KEYS[1], 'until')) - now)) + 86400000)
if running then return 1 end
return 0
`);
