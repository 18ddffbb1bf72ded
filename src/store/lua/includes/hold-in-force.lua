-- A hold as herald keeps it (a JSON object: state 'held' or 'halted', code, reason, since, until), decoded when it is
-- in force at `now` (ms): a halt always, a hold until a time that has not come yet. Else nil.
local function holdInForce(json, now)
  if not json then return nil end
  local ok, hold = pcall(cjson.decode, json)
  if not ok or type(hold) ~= 'table' then return nil end
  if hold['state'] == 'halted' then return hold end
  if hold['state'] == 'held' and (tonumber(hold['until']) or 0) > now then return hold end
  return nil
end
