-- Settles recipients once each as sent, failed or unknown, counting them, and keeps what the report and
-- resend-failed need of each in the same step, so a settled recipient always has it. A worker settles the sends of
-- one campaign that end in the same turn of its event loop in one call: each is settled as if alone, in order (a
-- recipient named twice is settled by its first entry), and the call then writes the states, the records and each
-- counter's increase once, and checks once whether the campaign is finished.
-- KEYS[1] the campaign's recipients (the ledger), KEYS[2] its counts, KEYS[3] its record, KEYS[4] its details.
-- ARGV, six per recipient: e164; 's', 'f' or 'u'; the detail (SID, code or reason); channel; now (ISO); the
--   recipient's report record (src/store/recipient-detail.ts) or '' for none.
-- Returns, per recipient: 0 already settled (nothing changed), 1 settled, 2 settled and the campaign is now
-- finished (given to the call's last settled recipient).

--- @include "ledger-state"
--- @include "finish-if-done"

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
  local kind
  if settled[to] then
    kind = 's'
  else
    kind = kindOf(redis.call('HGET', KEYS[1], to))
  end
  if isFinal(kind) then
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
    -- Failures also per code, so that metrics can say why exactly (count-fields.ts reads failed:<channel>:<code>).
    if code == 'f' then increase('failed:' .. channel .. ':' .. detail) end
    out[#out + 1] = 1
    last, lastNow = #out, now
  end
end
if last then
  hsetAll(KEYS[1], states)
  if #records > 0 then hsetAll(KEYS[4], records) end
  for _, field in ipairs(fields) do redis.call('HINCRBY', KEYS[2], field, increases[field]) end
  if finishIfDone(KEYS[2], KEYS[3], lastNow) == 1 then out[last] = 2 end
end
return out
