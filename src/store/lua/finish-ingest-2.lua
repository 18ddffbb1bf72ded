-- Marks a campaign's ingest done (the producer read the whole file) and finishes the campaign if nothing is
-- outstanding.
-- KEYS[1] the campaign's counts, KEYS[2] its record.
-- ARGV[1] now (ISO).
-- Returns 1 if the campaign is now finished, else 0.

--- @include "finish-if-done"

redis.call('HSET', KEYS[2], 'ingest', 'done')
return finishIfDone(KEYS[1], KEYS[2], ARGV[1])
