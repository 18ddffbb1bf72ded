import { RedisScript } from '../queue/redis-script.js';

/**
 * Puts one settled recipient back to queued for `herald resend-failed`, moving its counters in the same step so
 * that `counts` stays exact: a failed recipient leaves `failed` (and `failed:<channel>:<code>`); a sent one whose
 * receipt said undelivered leaves `sent` and `undelivered` (and their per-channel and per-code fields), and its
 * receipt is dropped so that the new message's receipts are recorded. A finished campaign is running again.
 * KEYS[1] recipients, KEYS[2] counts, KEYS[3] campaign, KEYS[4] receipts.
 * ARGV[1] e164, ARGV[2] the ledger value the caller judged curable, ARGV[3] senderId, ARGV[4] channel.
 * Output: 1 requeued; 0 the recipient is no longer in that state (changed meanwhile, or already requeued), or it
 * is sent and its receipt does not say undelivered.
 */
export const REQUEUE = new RedisScript(`
local to, expected, sender, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', KEYS[1], to) ~= expected then return 0 end
local kind = string.sub(expected, 1, 1)
if kind == 'f' then
  local code = string.sub(expected, 3)
  redis.call('HINCRBY', KEYS[2], 'failed', -1)
  redis.call('HINCRBY', KEYS[2], 'failed:' .. channel, -1)
  redis.call('HINCRBY', KEYS[2], 'failed:' .. channel .. ':' .. code, -1)
elseif kind == 's' then
  local receipt = redis.call('HGET', KEYS[4], to)
  if not receipt then return 0 end
  local delivered, status, code = string.match(receipt, '^%d+|%d|(%d)|([^|]*)|([^|]*)|')
  if delivered ~= '0' or (status ~= 'undelivered' and status ~= 'failed') then return 0 end
  redis.call('HINCRBY', KEYS[2], 'sent', -1)
  redis.call('HINCRBY', KEYS[2], 'sent:' .. channel, -1)
  redis.call('HINCRBY', KEYS[2], 'undelivered', -1)
  redis.call('HINCRBY', KEYS[2], 'undelivered:' .. channel, -1)
  redis.call('HINCRBY', KEYS[2], 'undelivered:' .. channel .. ':' .. code, -1)
  redis.call('HDEL', KEYS[4], to)
else
  return 0
end
redis.call('HSET', KEYS[1], to, 'q:' .. sender)
redis.call('HINCRBY', KEYS[2], 'resent', 1)
if redis.call('HGET', KEYS[3], 'state') == 'finished' then
  redis.call('HSET', KEYS[3], 'state', 'running')
  redis.call('HDEL', KEYS[3], 'finishedAt')
end
return 1
`);
