-- Counts one message to a recipient against the frequency cap: at most ARGV[1] messages in any rolling ARGV[2] ms,
-- across every campaign and process. One campaign counts once per recipient within the window, so a send that is
-- asked again (a redelivered job, a retry) is not counted twice.
-- KEYS[1] the recipient's sorted set of counted messages (member: the campaign, score: when counted, Redis's clock).
-- ARGV[1] the cap, ARGV[2] the window in ms, ARGV[3] the campaign.
-- Returns 0 when counted (now or before), else when the oldest counted message leaves the window (ms, Redis's clock):
-- the first instant at which a message to the recipient may be counted again.
--
-- Messages older than the window are trimmed only when the set is full: below the cap they change nothing, and most
-- recipients never reach it, so the common case is one ZSCORE, one ZCARD and the ZADD.

--- @include "redis-now"

local now = redisNow()
local window = tonumber(ARGV[2])
local since = now - window
local counted = redis.call('ZSCORE', KEYS[1], ARGV[3])
if counted and tonumber(counted) > since then return 0 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return math.ceil(tonumber(oldest[2]) + window)
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
