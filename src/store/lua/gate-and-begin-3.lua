-- Asked by a worker just before it begins a send: the campaign's gate (pause, cancel, scheduled start) and, when it
-- is open, the ledger's begin in the same step, so one round trip, and nothing can pause or cancel the campaign
-- between the two. A worker asks for the sends of one campaign that reach this point in the same turn of its event
-- loop in one call: each is answered as if alone, in order. The campaign's state is read once per call: nothing but
-- this script changes it within the call (a scheduled campaign whose time has come turns running), and `startedAt`
-- is set once.
-- KEYS[1] the campaign's recipients (the ledger), KEYS[2] its counts, KEYS[3] its record.
-- ARGV, four per recipient: e164, now (ms), now (ISO), the attempt's token.
-- Returns, per recipient: 'paused'; 'cancelled' (the recipient, if still queued, is now cancelled) or
-- 'cancelled-closed' (and that was the campaign's last outstanding recipient); 'wait:<ms>' (scheduled, not yet
-- due: wait until then); else the gate is open and the answer is the ledger's begin (begin-send-1.lua) — also for a
-- cancelled campaign's recipient left in flight by an interrupted attempt, whom only the ledger may settle.

--- @include "ledger-state"
--- @include "finish-if-done"
--- @include "cancel-one"
--- @include "begin-one"

local state = redis.call('HGET', KEYS[3], 'state')
local started = false
local function gateOne(to, nowMs, nowIso)
  if state == 'paused' then return 'paused' end
  if state == 'cancelled' then
    -- Marked in flight by an earlier attempt that was interrupted: it may have reached Twilio, so it is not
    -- cancelled; the ledger's begin settles it unknown without sending.
    if kindOf(redis.call('HGET', KEYS[1], to)) == 'i' then return 'open' end
    cancelOne(KEYS[1], KEYS[2], to)
    if finishIfDone(KEYS[2], KEYS[3], nowIso) == 1 then return 'cancelled-closed' end
    return 'cancelled'
  end
  if state == 'scheduled' then
    local startAt = tonumber(redis.call('HGET', KEYS[3], 'startAtMs') or 0)
    if tonumber(nowMs) < startAt then return 'wait:' .. startAt end
    redis.call('HSET', KEYS[3], 'state', 'running')
    state = 'running'
  end
  if not started then
    redis.call('HSETNX', KEYS[3], 'startedAt', nowIso)
    started = true
  end
  return 'open'
end

local out = {}
for i = 1, #ARGV, 4 do
  local gate = gateOne(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  if gate == 'open' then gate = beginOne(KEYS[1], ARGV[i], ARGV[i + 1], ARGV[i + 3]) end
  out[#out + 1] = gate
end
return out
