-- Redis's own clock in ms (with a fraction), so that no two machines' clocks need agree.
local function redisNow()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
end
