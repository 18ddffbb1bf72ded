--[[
  Throttles one link of a rate chain: its next free time is no earlier than `ms` from now, for every process
  (Twilio answered that it, or the carrier, is being sent to too fast). Slots already taken are kept; they lie within
  the horizon.
  KEYS[1] the chain's rate hash
  ARGV[1] the link's id
  ARGV[2] ms
  Returns: the link's next free time, ms since the epoch.
]]
--- @include "redis-now"
local field = ARGV[1] .. ':tat'
local free = redisNow() + tonumber(ARGV[2])
local tat = tonumber(redis.call('HGET', KEYS[1], field) or 0)
if free > tat then
  redis.call('HSET', KEYS[1], field, string.format('%.3f', free))
  tat = free
end
return math.floor(tat)
