import { BEGIN_ONE, FINISH_IF_DONE } from './ledger-scripts.js';
import { RedisScript } from './redis-script.js';

/*
 * Pause, resume, cancel and scheduled starts. The campaign hash's `state` is the switch every worker reads just
 * before a send (GATE_AND_BEGIN), so a change made here holds in every process the moment the script returns.
 * All scripts take KEYS[1] recipients, KEYS[2] counts, KEYS[3] campaign: one hash tag, one Cluster slot.
 */

// Marks one recipient cancelled if it is still queued (never begun). Needs KEYS[1], KEYS[2]; returns 1 if marked.
const CANCEL_ONE = `
local function cancelOne(to)
  local current = redis.call('HGET', KEYS[1], to)
  if current and string.sub(current, 1, 2) == 'q:' then
    redis.call('HSET', KEYS[1], to, 'c:cancelled')
    redis.call('HINCRBY', KEYS[2], 'cancelled', 1)
    return 1
  end
  return 0
end
`;

// The campaign's answer for one recipient just before a send: 'open' or as GATE_AND_BEGIN says. Needs KEYS[1..3],
// FINISH_IF_DONE and CANCEL_ONE. The campaign's state is read once per call: nothing but this function changes it
// within the call (a scheduled campaign whose time has come turns running), and `startedAt` is set once.
const GATE_ONE = `
local state = redis.call('HGET', KEYS[3], 'state')
local started = false
local function gateOne(to, nowMs, nowIso)
  if state == 'paused' then return 'paused' end
  if state == 'cancelled' then
    -- Marked in flight by an earlier attempt that was interrupted: it may have reached Twilio, so it is not
    -- cancelled; the ledger's begin settles it unknown without sending.
    local current = redis.call('HGET', KEYS[1], to)
    if current and string.sub(current, 1, 2) == 'i:' then return 'open' end
    cancelOne(to)
    if finishIfDone(nowIso) == 1 then return 'cancelled-closed' end
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
`;

/**
 * Asked by a worker just before it begins a send: the campaign's gate and, when it is open, the ledger's BEGIN_SEND
 * (ledger-scripts.ts) in the same step, so one round trip, and nothing can pause or cancel the campaign between the
 * two. A worker asks for the sends of one campaign that reach this point in the same turn of its event loop together,
 * in one call: each is answered as if alone, in order.
 * ARGV, four per recipient: e164, now (ms), now (ISO), token of this attempt.
 * Output, per recipient: 'paused'; 'cancelled' (the recipient, if still queued, is now `c:cancelled`) or
 * 'cancelled-closed' (and that was the campaign's last outstanding recipient); 'wait:<ms>' (scheduled, not yet due:
 * wait until then); else the gate is open and the answer is BEGIN_SEND's — also for a cancelled campaign's recipient
 * left in flight by an interrupted attempt, whom only the ledger may settle. A scheduled campaign whose time has come
 * turns running here; the first send records `startedAt`.
 */
export const GATE_AND_BEGIN = RedisScript.replicated(`
${FINISH_IF_DONE}
${CANCEL_ONE}
${GATE_ONE}
${BEGIN_ONE}
local out = {}
for i = 1, #ARGV, 4 do
  local gate = gateOne(ARGV[i], ARGV[i + 1], ARGV[i + 2])
  if gate == 'open' then gate = beginOne(ARGV[i], ARGV[i + 1], ARGV[i + 3]) end
  out[#out + 1] = gate
end
return out
`);

/**
 * Moves a campaign to another state, if that move is allowed.
 * ARGV[1] 'pause' | 'resume' | 'cancel', ARGV[2] now (ms), ARGV[3] now (ISO).
 * Output: { outcome, state }: outcome 'changed', 'unchanged' (already there) or 'refused'; state is the state now.
 * pause: running or scheduled → paused (remembering which). resume: paused → scheduled if its start time is still
 * ahead, else running, and finished if its last sends settled while it was paused. cancel: any unfinished state →
 * cancelled (the caller then marks the queued recipients; see CANCEL_QUEUED).
 */
export const TRANSITION = RedisScript.replicated(`
${FINISH_IF_DONE}
local state = redis.call('HGET', KEYS[3], 'state')
local action = ARGV[1]
if action == 'pause' then
  if state == 'paused' then return { 'unchanged', state } end
  if state ~= 'running' and state ~= 'scheduled' then return { 'refused', state } end
  redis.call('HSET', KEYS[3], 'state', 'paused', 'pausedAt', ARGV[3])
  return { 'changed', 'paused' }
end
if action == 'resume' then
  if state == 'running' or state == 'scheduled' then return { 'unchanged', state } end
  if state ~= 'paused' then return { 'refused', state } end
  local startAt = tonumber(redis.call('HGET', KEYS[3], 'startAtMs') or 0)
  local next = 'running'
  if tonumber(ARGV[2]) < startAt then next = 'scheduled' end
  redis.call('HSET', KEYS[3], 'state', next)
  redis.call('HDEL', KEYS[3], 'pausedAt')
  if next == 'running' and finishIfDone(ARGV[3]) == 1 then return { 'changed', 'finished' } end
  return { 'changed', next }
end
if action == 'cancel' then
  if state == 'cancelled' then return { 'unchanged', state } end
  if state == 'finished' then return { 'refused', state } end
  redis.call('HSET', KEYS[3], 'state', 'cancelled', 'cancelledAt', ARGV[3])
  redis.call('HDEL', KEYS[3], 'pausedAt')
  return { 'changed', 'cancelled' }
end
return redis.error_reply('unknown action ' .. tostring(action))
`);

/**
 * Marks queued recipients of a cancelled campaign `c:cancelled`; one that a worker has begun (`i:`) or settled is
 * left alone, so a send that started before the cancel ends as sent or unknown, never as cancelled.
 * ARGV[1] now (ISO), ARGV[2..] e164s. Output: { marked, closed }: how many were marked, and 1 if the campaign has
 * nothing left queued or in flight (its finishedAt is now set).
 */
export const CANCEL_QUEUED = RedisScript.replicated(`
${FINISH_IF_DONE}
${CANCEL_ONE}
local marked = 0
for i = 2, #ARGV do marked = marked + cancelOne(ARGV[i]) end
local closed = finishIfDone(ARGV[1])
if closed == 0 and redis.call('HGET', KEYS[3], 'finishedAt') then closed = 1 end
return { marked, closed }
`);
