-- The recipient ledger: one field per recipient in a campaign's `recipients` hash, whose value is its state. The
-- same encoding is read and written in TypeScript by src/store/ledger-state.ts:
--   q:<senderId>       queued on that sender's queue, never attempted (or released after a clean failure)
--   i:<ms>:<jobToken>  a send is in flight: the request may have reached Twilio
--   s:<sid>            sent (Twilio answered 201)
--   f:<code>           failed for good (Twilio error code or herald reason)
--   u:<reason>         unknown: a request may have reached Twilio and herald could not tell; never resent
--   c:cancelled        cancelled before any request for it began
-- s, f, u and c are final; only resend-failed's requeue puts a curable f, or an undelivered s, back to q.

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

local function inFlight(now, token)
  return 'i:' .. now .. ':' .. token
end

local function isFinal(kind)
  return kind == 's' or kind == 'f' or kind == 'u' or kind == 'c'
end
