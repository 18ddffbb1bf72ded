--[[
  Takes one send's cost from every link of its sender's rate chain at once (the sender, its group, the group's
  parent, ...), or from none. Every process on every machine takes from the same hash, timed by Redis's own clock.
  A link with a rate is a GCRA with no burst allowance: its next free time moves on by cost x interval from where it
  stood (or from now, if that is past), so the sends that one link binds are spaced evenly at its full rate, and a
  link that does not bind is not pushed ahead by a send that waits on another. The send goes at the latest of its
  links' free times.
  KEYS[1] the chain's rate hash; per link id L, fields L:tat (next free time, ms), L:used (segments counted toward
  its daily cap), L:period (when that count resets, ms), L:hold (see hold-1.lua)
  ARGV[1] horizon, ms: a slot further out than this is not taken, so a hold or a change of limits takes effect at
          once and a killed worker leaves no gap behind
  ARGV[2] cost: SMS segments, else 1
  ARGV[3..] four per link, the sender first: its id; ms of its time one unit of cost uses (0: no rate); its daily
          cap in segments (0: none); the cap's next reset after now, ms since the epoch, as the caller computed it in
          the cap's time zone
  Returns one of:
    {'slot', ms until the slot}      taken on every link
    {'later', ms to wait}            a link's next free time lies beyond the horizon; nothing taken
    {'held', link id, hold}          a link is halted, or held until a time still ahead (hold as JSON); nothing taken
    {'capped', link id, hold}        a link's daily cap is reached: the link is now held until the reset (this call
                                     put the hold on); nothing taken
]]
--- @include "redis-now"
--- @include "hold-in-force"
local now = redisNow()
local horizon = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local links = {}
for i = 3, #ARGV, 4 do
  links[#links + 1] = {
    id = ARGV[i], interval = tonumber(ARGV[i + 1]), cap = tonumber(ARGV[i + 2]), reset = tonumber(ARGV[i + 3])
  }
end
for _, link in ipairs(links) do
  local json = redis.call('HGET', KEYS[1], link.id .. ':hold')
  if holdInForce(json, now) then return {'held', link.id, json} end
end
for _, link in ipairs(links) do
  if link.cap > 0 then
    local state = redis.call('HMGET', KEYS[1], link.id .. ':used', link.id .. ':period')
    link.used = tonumber(state[1]) or 0
    link.period = tonumber(state[2]) or 0
    if link.period <= now then
      link.used = 0
      link.period = link.reset
    end
    -- A message that alone costs more than the cap goes when the count is empty; it could never go otherwise.
    if link.used > 0 and link.used + cost > link.cap then
      local hold = cjson.encode({
        state = 'held', code = 'daily-cap', reason = 'daily cap of ' .. link.cap .. ' segments reached',
        since = math.floor(now), ['until'] = link.period
      })
      redis.call('HSET', KEYS[1], link.id .. ':hold', hold, link.id .. ':used', link.used,
        link.id .. ':period', link.period)
      return {'capped', link.id, hold}
    end
  end
end
local slot = now
for _, link in ipairs(links) do
  if link.interval > 0 then
    link.tat = math.max(tonumber(redis.call('HGET', KEYS[1], link.id .. ':tat')) or now, now)
    if link.tat > slot then slot = link.tat end
  end
end
if slot - now > horizon then return {'later', math.ceil(slot - now - horizon)} end
for _, link in ipairs(links) do
  if link.interval > 0 then
    redis.call('HSET', KEYS[1], link.id .. ':tat', string.format('%.3f', link.tat + cost * link.interval))
  end
  if link.cap > 0 then
    redis.call('HSET', KEYS[1], link.id .. ':used', link.used + cost, link.id .. ':period', link.period)
  end
end
return {'slot', math.ceil(slot - now)}
