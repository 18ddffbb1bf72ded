-- The recipient ledger: one field per recipient in a campaign's `recipients` hash, whose value is its state. The
-- same encoding is read and written in TypeScript by src/store/ledger-state.ts:
--   q:<senderId>       queued on that sender's queue, never attempted (or released after a clean failure)
--   in:<ms>:<token>    a send is in flight, and its request is not yet written (the attempt's mark, set by begin)
--   i:<ms>:<token>     a send is in flight, and its request was written: it may have reached Twilio
--   s:<sid>            sent (Twilio answered 201)
--   f:<code>           failed for good (Twilio error code or herald reason)
--   u:<reason>         unknown: a request may have reached Twilio and herald could not tell; never resent
--   c:cancelled        cancelled before any request for it began
-- s, f, u and c are final; only resend-failed's requeue puts a curable f, or an undelivered s, back to q. Both
-- in-flight forms are of the kind 'i'; only move-mark-1.lua tells them apart.

local CANCELLED = 'c:cancelled'

-- The state's kind, its first letter ('q', 'i', 's', 'f', 'u' or 'c'); nil for a recipient not in the ledger.
local function kindOf(state)
  if not state then return nil end
  return string.sub(state, 1, 1)
end

-- What follows the kind: the sender, the SID, the code or the reason.
local function detailOf(state)
  return string.sub(state, 3)
end

local function queuedOn(sender)
  return 'q:' .. sender
end

-- The mark of an attempt about to write its request (in:); it becomes i: once written (move-mark-1.lua).
local function inFlight(now, token)
  return 'in:' .. now .. ':' .. token
end

local function isFinal(kind)
  return kind == 's' or kind == 'f' or kind == 'u' or kind == 'c'
end
