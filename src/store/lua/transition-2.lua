-- Moves a campaign to another state, if that move is allowed. pause: running or scheduled → paused. resume:
-- paused → scheduled if its start time is still ahead, else running, and finished if its last sends settled while
-- it was paused. cancel: any unfinished state → cancelled (the caller then cancels the queued recipients with
-- cancel-queued-4.lua).
-- KEYS[1] the campaign's counts, KEYS[2] its record.
-- ARGV[1] 'pause', 'resume' or 'cancel'; ARGV[2] now (ms); ARGV[3] now (ISO).
-- Returns { outcome, state }: outcome 'changed', 'unchanged' (already there) or 'refused'; state is the state now.

--- @include "finish-if-done"

local state = redis.call('HGET', KEYS[2], 'state')
local action = ARGV[1]
if action == 'pause' then
  if state == 'paused' then return { 'unchanged', state } end
  if state ~= 'running' and state ~= 'scheduled' then return { 'refused', state } end
  redis.call('HSET', KEYS[2], 'state', 'paused', 'pausedAt', ARGV[3])
  return { 'changed', 'paused' }
end
if action == 'resume' then
  if state == 'running' or state == 'scheduled' then return { 'unchanged', state } end
  if state ~= 'paused' then return { 'refused', state } end
  local startAt = tonumber(redis.call('HGET', KEYS[2], 'startAtMs') or 0)
  local next = 'running'
  if tonumber(ARGV[2]) < startAt then next = 'scheduled' end
  redis.call('HSET', KEYS[2], 'state', next)
  redis.call('HDEL', KEYS[2], 'pausedAt')
  if next == 'running' and finishIfDone(KEYS[1], KEYS[2], ARGV[3]) == 1 then return { 'changed', 'finished' } end
  return { 'changed', next }
end
if action == 'cancel' then
  if state == 'cancelled' then return { 'unchanged', state } end
  if state == 'finished' then return { 'refused', state } end
  redis.call('HSET', KEYS[2], 'state', 'cancelled', 'cancelledAt', ARGV[3])
  redis.call('HDEL', KEYS[2], 'pausedAt')
  return { 'changed', 'cancelled' }
end
return redis.error_reply('unknown action ' .. tostring(action))
