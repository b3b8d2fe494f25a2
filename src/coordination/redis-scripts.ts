// The Lua scripts: each runs atomically in Redis, which is what makes a claim or a lock hand-over
// safe between processes. Replies are integers (1 yes, 0 no; CLAIM: how many ids were new).

/** KEYS: the claim keys. ARGV: owner, ttl ms. SET NX every key, even after one was found taken. */
export const CLAIM = `
local fresh = 0
for _, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then fresh = fresh + 1 end
end
return fresh
`;

/**
 * KEYS: lock, line (zset token -> ticket), alive (hash token -> ms until which the waiter counts),
 * ticket counter. ARGV: token, lease ms, waiter ttl ms.
 * Joins the line (once), says "still waiting", drops dead waiters from the head of the line, and
 * takes the lock only when it is free and this token is first in line: arrival order, not luck.
 */
export const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local token, lease, waiterTtl = ARGV[1], ARGV[2], tonumber(ARGV[3])
if not redis.call('ZSCORE', KEYS[2], token) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), token)
end
redis.call('HSET', KEYS[3], token, now + waiterTtl)
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not head then break end
  local alive = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  if alive > now then break end
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
end
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], waiterTtl * 2) end
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] ~= token then return 0 end
if not redis.call('SET', KEYS[1], token, 'NX', 'PX', lease) then return 0 end
redis.call('ZREM', KEYS[2], token)
redis.call('HDEL', KEYS[3], token)
return 1
`;

/** KEYS: line, alive. ARGV: token. A waiter that gives up leaves the line. */
export const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: lock. ARGV: token, lease ms. Extends the lease only if this token still holds the lock. */
export const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** KEYS: lock. ARGV: token. Deletes the lock only if this token holds it: never someone else's. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: the key. ARGV: value, ttl ms. Sets it unless set; replies {1, value} or {0, the value that stands}. */
export const SETTLE = `
local standing = redis.call('GET', KEYS[1])
if standing then return {0, standing} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, ARGV[1]}
`;

/**
 * KEYS: slots (zset member -> ms until which it holds). ARGV: member, limit, ttl ms. Drops expired
 * slots, then takes (or renews) the member's slot if it holds one or fewer than limit are taken.
 * Redis's own clock, so replicas with skewed clocks count alike.
 */
export const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

/** KEYS: slots. ARGV: member. */
export const FREE_SLOT = `
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;
