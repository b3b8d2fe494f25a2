// The inbox in Redis (redis://), shared by every replica: per-thread lists, a sorted set of threads
// with work, and a leased hold per thread, each step one Lua script (redis-scripts.ts). A worker
// renews its lease while it answers; a replica that dies stops renewing, and within the lease any
// other replica's TAKE finds the thread due and takes its head again, with the attempt counted.
// The head leaves its list only in FINISH, so a thread's questions keep their order across takeovers.
import { randomUUID } from 'node:crypto';
import { LockLostError } from '../coordination/errors.js';
import { keepLease, type LeaseKeeper } from '../coordination/lease.js';
import type { RedisLink } from '../coordination/redis-link.js';
import { silentLogger, type Logger } from '../log.js';
import type { Question } from '../slack/intake/question.js';
import { ACCEPT, FINISH, RELEASE, RENEW, TAKE } from './redis-scripts.js';
import { questionId, takeOneByOne, type AcceptOptions, type AcceptResult, type Inbox, type InboxOptions, type QueuedQuestion, type TakenQuestion } from './types.js';

export const DEFAULT_INTAKE_PREFIX = 'bot:intake:';

export interface RedisInboxOptions extends InboxOptions {
  link: RedisLink;
  /** Prefix of every key (default 'bot:intake:'); tests use their own. */
  prefix?: string;
  /** Who holds a thread (host:pid), in its lease token, for whoever reads Redis. */
  owner: string;
  /** How long a dead worker keeps its thread (LOCK_LEASE_MS). */
  leaseMs: number;
  logger?: Logger;
}

interface Hold {
  token: string;
  /** The head exactly as taken: FINISH removes it only if it is still the head. */
  raw: string;
  keeper: LeaseKeeper;
}

export function createRedisInbox(options: RedisInboxOptions): Inbox {
  const { link, owner, leaseMs } = options;
  const prefix = options.prefix ?? DEFAULT_INTAKE_PREFIX;
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const key = {
    list: (thread: string) => `${prefix}q:${thread}`,
    lease: (thread: string) => `${prefix}lease:${thread}`,
    attempts: (thread: string) => `${prefix}attempts:${thread}`,
    engaged: (thread: string) => `${prefix}engaged:${thread}`,
    claim: (id: string) => `${prefix}claim:${id}`,
    threads: `${prefix}threads`,
    size: `${prefix}size`,
  };
  const ms = (value: number) => String(Math.max(1, Math.ceil(value)));
  const holds = new Map<TakenQuestion, Hold>();

  const drop = (taken: TakenQuestion): Hold | undefined => {
    const hold = holds.get(taken);
    hold?.keeper.stop();
    holds.delete(taken);
    return hold;
  };

  const take = async (): Promise<TakenQuestion | undefined> => {
    const token = `${owner}:${randomUUID()}`;
    const reply = await link.eval('take a question', TAKE, [key.threads], [prefix, token, ms(leaseMs)]);
    if (!Array.isArray(reply)) return undefined;
    const [thread, raw, attempt] = reply as [string, string, number];
    const lost = new AbortController();
    const taken: TakenQuestion = { entry: JSON.parse(raw) as QueuedQuestion, attempt: Number(attempt), lost: lost.signal };
    const keeper = keepLease({
      leaseMs,
      logger: log,
      renew: async () => Number(await link.eval('renew a question lease', RENEW, [key.lease(thread), key.threads], [token, ms(leaseMs), thread])) === 1,
      onLost: () => {
        log.warn('intake: lost the hold on a thread while answering', { conversation: thread });
        lost.abort(new LockLostError(thread));
      },
    });
    holds.set(taken, { token, raw, keeper });
    return taken;
  };

  return {
    kind: 'redis',
    durable: true,
    async accept(question: Question, { ids, onlyIfEngaged }: AcceptOptions): Promise<AcceptResult> {
      const thread = question.key;
      const entry: QueuedQuestion = { id: questionId(question), thread, question, acceptedAt: now() };
      const claims = [...new Set(ids)].map(key.claim);
      const reply = await link.eval(
        'accept a question',
        ACCEPT,
        [...claims, key.list(thread), key.threads, key.engaged(thread), key.size],
        [String(claims.length), owner, ms(options.claimTtlMs), JSON.stringify(entry), onlyIfEngaged ? '1' : '0', ms(options.engagedTtlMs), thread],
      );
      if (reply === 'accepted' || reply === 'duplicate' || reply === 'not-engaged') return reply;
      throw new Error(`unexpected reply from the accept script: ${String(reply)}`);
    },
    take,
    takeMany: (limit) => takeOneByOne(take, limit),
    async finish(taken: TakenQuestion) {
      const hold = drop(taken);
      if (!hold) return;
      const { thread } = taken.entry;
      const done = await link.eval('finish a question', FINISH, [key.list(thread), key.lease(thread), key.threads, key.attempts(thread), key.size], [hold.token, hold.raw, thread]);
      if (Number(done) !== 1) log.warn('intake: a question finished after its hold ran out; another replica may answer it again', { conversation: thread });
    },
    async release(taken: TakenQuestion) {
      const hold = drop(taken);
      if (!hold) return;
      await link.eval('release a question', RELEASE, [key.lease(taken.entry.thread), key.threads], [hold.token, taken.entry.thread]);
    },
    async isEngaged(thread) {
      // EXISTS through a one-line script: the link speaks scripts only.
      return Number(await link.eval('read engaged', "return redis.call('EXISTS', KEYS[1])", [key.engaged(thread)], [])) === 1;
    },
    async size() {
      return Number(await link.eval('read inbox size', "return tonumber(redis.call('GET', KEYS[1]) or '0')", [key.size], []));
    },
    async close() {
      for (const hold of holds.values()) hold.keeper.stop();
      holds.clear();
      await link.close();
    },
  };
}
