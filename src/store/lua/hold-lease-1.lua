-- Takes a lease when it is free and renews it when it is ours, in one step (a plain SET NX PX could not tell "ours"
-- from "someone else's").
-- KEYS[1] the lease.
-- ARGV[1] the holder's id, ARGV[2] time to live (ms).
-- Returns 1 when this holder has the lease for ARGV[2] ms from now, else 0.

local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
