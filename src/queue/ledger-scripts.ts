import { RedisScript } from './redis-script.js';

/*
 * The recipient ledger: one field per recipient in the campaign's `recipients` hash, whose value is its state:
 *   q:<senderId>       queued on that sender's queue, never attempted (or released after a clean failure)
 *   i:<ms>:<jobToken>  a send is in flight: the request may have reached Twilio
 *   s:<sid>            sent (Twilio answered 201)
 *   f:<code>           failed for good (Twilio error code or herald reason)
 *   u:<reason>         unknown: a request may have reached Twilio and herald could not tell; never resent
 *   c:cancelled        cancelled before any request for it began (see control-scripts.ts)
 * s, f, u and c are final (only resend-failed puts a curable f, or an undelivered s, back to q:
 * resend/resend-scripts.ts). Counters in the `counts` hash move in the same script as the state, so they are exact
 * however often BullMQ redelivers a job.
 */

// Marks the campaign finished once ingest is done and every queued recipient is settled, and closes a cancelled
// campaign (finishedAt, state kept) once nothing is left queued or in flight, however far its producer got. Needs
// KEYS[2]=counts, KEYS[3]=campaign and the local `now`; returns 1 when this call finished or closed it.
export const FINISH_IF_DONE = `
local function finishIfDone(now)
  local c = redis.call('HMGET', KEYS[2], 'queued', 'sent', 'failed', 'unknown', 'cancelled')
  local settled = tonumber(c[2] or 0) + tonumber(c[3] or 0) + tonumber(c[4] or 0) + tonumber(c[5] or 0)
  if settled < tonumber(c[1] or 0) then return 0 end
  local meta = redis.call('HMGET', KEYS[3], 'ingest', 'state', 'finishedAt')
  if meta[1] == 'done' and meta[2] == 'running' then
    redis.call('HSET', KEYS[3], 'state', 'finished', 'finishedAt', now)
    return 1
  end
  if meta[2] == 'cancelled' and not meta[3] then
    redis.call('HSET', KEYS[3], 'finishedAt', now)
    return 1
  end
  return 0
end
`;

/**
 * Claims recipients for a campaign before their jobs are added.
 * KEYS[1] recipients, KEYS[2] counts.
 * ARGV[1] one line per recipient, `e164 senderId channel`, lines joined by newlines: a chunk's thousand recipients
 * cost the client one argument to encode instead of three thousand.
 * Output: one integer per line: 1 new (counted as queued); 0 already queued on the same sender and never
 * attempted (its job may be re-added: BullMQ dedupes by job id, and an interrupted run is resumed this way);
 * 2 already attempted or settled (nothing to add); -1 queued on another sender, i.e. the same number on another
 * channel (must not be queued).
 */
export const CLAIM = RedisScript.replicated(`
local out = {}
for to, sender, channel in string.gmatch(ARGV[1], '(%S+) (%S+) (%S+)') do
  local current = redis.call('HGET', KEYS[1], to)
  if not current then
    redis.call('HSET', KEYS[1], to, 'q:' .. sender)
    redis.call('HINCRBY', KEYS[2], 'queued', 1)
    redis.call('HINCRBY', KEYS[2], 'queued:' .. channel, 1)
    out[#out + 1] = 1
  elseif current == 'q:' .. sender then
    out[#out + 1] = 0
  elseif string.sub(current, 1, 2) == 'q:' then
    out[#out + 1] = -1
  else
    out[#out + 1] = 2
  end
end
return out
`);

// Records that a send is about to start. Needs KEYS[1]=recipients; answers as BEGIN_SEND does.
export const BEGIN_ONE = `
local function beginOne(to, now, token)
  local current = redis.call('HGET', KEYS[1], to)
  if not current then return 'missing' end
  local kind = string.sub(current, 1, 1)
  if kind == 'q' then
    redis.call('HSET', KEYS[1], to, 'i:' .. now .. ':' .. token)
    return 'go'
  end
  if kind == 'i' then return current end
  return 'final:' .. current
end
`;

/**
 * Records that a send is about to start.
 * KEYS[1] recipients. ARGV[1] e164, ARGV[2] now (ms), ARGV[3] token of this attempt.
 * Output: 'go' (state is now in flight), the earlier in-flight state `i:…` (a previous attempt may have reached
 * Twilio), 'final:<state>' (already settled: do nothing), or 'missing'.
 */
export const BEGIN_SEND = RedisScript.replicated(`
${BEGIN_ONE}
return beginOne(ARGV[1], ARGV[2], ARGV[3])
`);

/**
 * Puts a recipient back to queued after a failure that proves the request was not processed (so a retry cannot
 * duplicate). KEYS[1] recipients. ARGV[1] e164, ARGV[2] senderId. Output: 1 if released.
 * It must work when Redis is out of memory: a release that fails leaves the in-flight mark, and the retry would then
 * record unknown a recipient whose request never left. Redis refuses a full server's script only at its first write
 * that can add data (HSET can, HDEL cannot), and lets the rest of a script that has written run; so the mark is
 * deleted first, and the shorter queued value put in its place. (A shebang with flags would change that: a flagged
 * script without allow-oom is refused whole.)
 */
export const RELEASE = RedisScript.replicated(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, 1) == 'i' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[1], ARGV[1], 'q:' .. ARGV[2])
  return 1
end
return 0
`);

/**
 * Settles recipients once each: sent, failed or unknown, counting them, and keeps what the report and resend-failed
 * need of each (report/recipient-detail.ts) in the same step, so a settled recipient always has them. A worker settles
 * the sends of one campaign that end in the same turn of its event loop together, in one call: each is settled as if
 * alone, in order (a recipient named twice is settled by its first entry), and the call then writes the states, the
 * records and each counter's increase once, and checks once whether the campaign is finished.
 * KEYS[1] recipients, KEYS[2] counts, KEYS[3] campaign, KEYS[4] details.
 * ARGV, six per recipient: e164, 's' | 'f' | 'u', detail (sid, code, reason), channel, now, the recipient's report
 * record or '' for none.
 * Output: per recipient, 0 already settled (nothing changed), 1 settled, 2 settled and the campaign is now finished
 * (the call's last settled recipient).
 */
export const SETTLE = RedisScript.replicated(`
${FINISH_IF_DONE}
local names = { s = 'sent', f = 'failed', u = 'unknown' }
local settled = {}
local states, records = {}, {}
local increases, fields = {}, {}
local function increase(field)
  if not increases[field] then
    increases[field] = 0
    fields[#fields + 1] = field
  end
  increases[field] = increases[field] + 1
end
-- HSET with many pairs in one command; in slices, as Lua's unpack takes a bounded number of values.
local function hsetAll(key, pairs)
  for first = 1, #pairs, 1000 do
    redis.call('HSET', key, unpack(pairs, first, math.min(first + 999, #pairs)))
  end
end
local out = {}
local last, lastNow
for i = 1, #ARGV, 6 do
  local to, code, detail, channel, now, record = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local kind = nil
  if settled[to] then
    kind = 's'
  else
    local current = redis.call('HGET', KEYS[1], to)
    if current then kind = string.sub(current, 1, 1) end
  end
  if kind == 's' or kind == 'f' or kind == 'u' or kind == 'c' then
    out[#out + 1] = 0
  else
    settled[to] = true
    states[#states + 1] = to
    states[#states + 1] = code .. ':' .. detail
    if record ~= '' then
      records[#records + 1] = to
      records[#records + 1] = record
    end
    local field = names[code]
    increase(field)
    increase(field .. ':' .. channel)
    -- Failures also per code, so that metrics can say why exactly (observe/count-fields.ts reads failed:<channel>:<code>).
    if code == 'f' then increase('failed:' .. channel .. ':' .. detail) end
    out[#out + 1] = 1
    last, lastNow = #out, now
  end
end
if last then
  hsetAll(KEYS[1], states)
  if #records > 0 then hsetAll(KEYS[4], records) end
  for _, field in ipairs(fields) do redis.call('HINCRBY', KEYS[2], field, increases[field]) end
  if finishIfDone(lastNow) == 1 then out[last] = 2 end
end
return out
`);

/**
 * Marks a campaign's ingest done (the producer read the whole file) and finishes it if nothing is outstanding.
 * KEYS[1] unused (recipients), KEYS[2] counts, KEYS[3] campaign. ARGV[1] now. Output: 1 if now finished.
 */
export const FINISH_INGEST = RedisScript.replicated(`
${FINISH_IF_DONE}
redis.call('HSET', KEYS[3], 'ingest', 'done')
return finishIfDone(ARGV[1])
`);
