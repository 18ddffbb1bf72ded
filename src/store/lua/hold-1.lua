--[[
  Puts a hold on a sender, a group or the account, and says whether this call is the one that did, so that exactly
  one process logs it however many sends meet the same answer at once. A halt replaces a hold until a time; a hold
  until a time never replaces a halt, and a second one while the first runs only moves its end later.
  KEYS[1] the hash that keeps it: a rate chain's hash, or the account's
  ARGV[1] the field (`<link id>:hold`, or `hold` for the account)
  ARGV[2] 'held' | 'halted'
  ARGV[3] code
  ARGV[4] reason
  ARGV[5] until, ms since the epoch ('held' only)
  Returns: 1 when the hold is new (it was sending until now), else 0.
]]
--- @include "redis-now"
--- @include "hold-in-force"
local now = redisNow()
local current = holdInForce(redis.call('HGET', KEYS[1], ARGV[1]), now)
local since = math.floor(now)
if ARGV[2] == 'halted' then
  if current and current['state'] == 'halted' then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1],
    cjson.encode({state = 'halted', code = ARGV[3], reason = ARGV[4], since = since}))
  return 1
end
if current and current['state'] == 'halted' then return 0 end
local until_ = tonumber(ARGV[5])
if current then
  if until_ > tonumber(current['until']) then
    current['until'] = until_
    redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(current))
  end
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1],
  cjson.encode({state = 'held', code = ARGV[3], reason = ARGV[4], since = since, ['until'] = until_}))
return 1
