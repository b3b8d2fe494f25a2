// The inbox's Lua scripts: each runs atomically in Redis, which is what makes accepting, taking a
// thread's head and finishing it safe between replicas. Keys (P = the prefix):
//   P q:<thread>         list of the thread's questions (JSON), head first
//   P threads            sorted set of threads with work, scored by the time (ms) from which a
//                        worker may take the thread: 0 when free, lease end while a worker holds it
//   P lease:<thread>     the holder's token, with a PX lease renewed while it works
//   P attempts:<thread>  how many times the head has been taken
//   P claim:<id>         an accepted (or duplicate) event id or channel + ts, with a TTL
//   P engaged:<thread>   present while the thread is the bot's
//   P size               questions accepted and not finished
// TAKE builds the per-thread keys from the prefix: fine on one Redis (the design's), not on a
// Redis Cluster.

/**
 * KEYS: the n claim keys, then list, threads, engaged, size.
 * ARGV: n, owner, claim ttl ms, entry JSON, only-if-engaged ('1'/'0'), engaged ttl ms, thread.
 * Returns 'accepted', 'duplicate' or 'not-engaged'.
 */
export const ACCEPT = `
local n = tonumber(ARGV[1])
local list, threads, engaged, size = KEYS[n + 1], KEYS[n + 2], KEYS[n + 3], KEYS[n + 4]
if ARGV[5] == '1' and redis.call('EXISTS', engaged) == 0 then return 'not-engaged' end
local fresh = 0
for i = 1, n do
  if redis.call('SET', KEYS[i], ARGV[2], 'NX', 'PX', ARGV[3]) then fresh = fresh + 1 end
end
if fresh < n then return 'duplicate' end
redis.call('RPUSH', list, ARGV[4])
redis.call('ZADD', threads, 'NX', 0, ARGV[7])
redis.call('SET', engaged, '1', 'PX', ARGV[6])
redis.call('INCR', size)
return 'accepted'
`;

/**
 * KEYS: threads. ARGV: prefix, token, lease ms.
 * Takes the head of the first thread whose time has come and whose lease is free; returns
 * {thread, head JSON, attempt} or nil. Threads with no question left leave the set.
 */
export const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 50)
for _, thread in ipairs(due) do
  local head = redis.call('LINDEX', prefix .. 'q:' .. thread, 0)
  if not head then
    redis.call('ZREM', KEYS[1], thread)
  elseif redis.call('SET', prefix .. 'lease:' .. thread, token, 'NX', 'PX', lease) then
    redis.call('ZADD', KEYS[1], now + lease, thread)
    local attempt = redis.call('INCR', prefix .. 'attempts:' .. thread)
    return {thread, head, attempt}
  else
    local left = redis.call('PTTL', prefix .. 'lease:' .. thread)
    redis.call('ZADD', KEYS[1], now + math.max(left, 1), thread)
  end
end
return nil
`;

/** KEYS: lease, threads. ARGV: token, lease ms, thread. Extends the lease if this token holds it. */
export const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[3])
return 1
`;

/**
 * KEYS: list, lease, threads, attempts, size. ARGV: token, head JSON, thread.
 * If this token still holds the thread: removes the head (if it is the one taken), frees the
 * thread, and leaves it in the set only if it has more questions.
 */
export const FINISH = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('LINDEX', KEYS[1], 0) == ARGV[2] then
  redis.call('LPOP', KEYS[1])
  redis.call('DECR', KEYS[5])
end
redis.call('DEL', KEYS[2], KEYS[4])
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[3]) else redis.call('ZADD', KEYS[3], 0, ARGV[3]) end
return 1
`;

/** KEYS: lease, threads. ARGV: token, thread. Gives the thread back unfinished, to be taken at once. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
return 1
`;
