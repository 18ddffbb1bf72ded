-- Cancels the recipients of a cancelled campaign that are still queued; one that a worker has begun or settled is
-- left alone, so a send that started before the cancel ends as sent, failed or unknown, never as cancelled. Each
-- recipient it cancels gets its report record in the same step.
-- KEYS[1] the campaign's recipients (the ledger), KEYS[2] its counts, KEYS[3] its record, KEYS[4] its details.
-- ARGV[1] now (ISO); then two per recipient: e164, its report record (src/store/recipient-detail.ts) or '' for
--   none (its job was gone).
-- Returns { marked, closed }: how many this call cancelled, and 1 if the campaign has nothing left queued or in
-- flight (its finishedAt is set).

--- @include "finish-if-done"
--- @include "cancel-one"

local marked = 0
for i = 2, #ARGV, 2 do
  local to, record = ARGV[i], ARGV[i + 1]
  if cancelOne(KEYS[1], KEYS[2], to) == 1 then
    marked = marked + 1
    if record ~= '' then redis.call('HSET', KEYS[4], to, record) end
  end
end
local closed = finishIfDone(KEYS[2], KEYS[3], ARGV[1])
if closed == 0 and redis.call('HGET', KEYS[3], 'finishedAt') then closed = 1 end
return { marked, closed }
