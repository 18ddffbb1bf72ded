-- Marks the campaign finished once its ingest is done and every queued recipient is settled, and closes a cancelled
-- campaign (finishedAt set, state kept) once nothing is left queued or in flight, however far its producer got.
-- countsKey: the campaign's `counts` hash; campaignKey: its record. Returns 1 when this call finished or closed it.
local function finishIfDone(countsKey, campaignKey, now)
  local c = redis.call('HMGET', countsKey, 'queued', 'sent', 'failed', 'unknown', 'cancelled')
  local settled = tonumber(c[2] or 0) + tonumber(c[3] or 0) + tonumber(c[4] or 0) + tonumber(c[5] or 0)
  if settled < tonumber(c[1] or 0) then return 0 end
  local meta = redis.call('HMGET', campaignKey, 'ingest', 'state', 'finishedAt')
  if meta[1] == 'done' and meta[2] == 'running' then
    redis.call('HSET', campaignKey, 'state', 'finished', 'finishedAt', now)
    return 1
  end
  if meta[2] == 'cancelled' and not meta[3] then
    redis.call('HSET', campaignKey, 'finishedAt', now)
    return 1
  end
  return 0
end
