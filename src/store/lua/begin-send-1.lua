-- Records that a send is about to start.
-- KEYS[1] the campaign's recipients (the ledger).
-- ARGV[1] e164, ARGV[2] now (ms), ARGV[3] the attempt's token.
-- Returns 'go' (the recipient is now in flight), the earlier in-flight state `i:…` (a previous attempt may have
-- reached Twilio), 'final:<state>' (already settled: do nothing) or 'missing' (not in the ledger).

--- @include "begin-one"

return beginOne(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
