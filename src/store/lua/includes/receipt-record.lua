-- A recipient's latest delivery receipt, one field per recipient in a campaign's `receipts` hash:
-- `<rank>|<closed>|<delivered>|<status>|<code>|<sid>` (rank and closed: src/receipts/status-order.ts; delivered is 1
-- once the recipient was counted delivered). src/store/receipts.ts reads the same encoding in TypeScript.

-- The parts of a stored receipt: rank, closed and delivered as strings of digits, then status and code.
local function parseReceipt(record)
  return string.match(record, '^(%d+)|(%d)|(%d)|([^|]*)|([^|]*)|')
end

local function formatReceipt(rank, closed, delivered, status, code, sid)
  return table.concat({ rank, closed, delivered, status, code, sid }, '|')
end
