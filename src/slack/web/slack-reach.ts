// Reaching Slack at start and after. At start the bot waits for Slack (retrying with backoff, one
// plain log line per try) before it starts anything else, and stops with a config line when Slack
// refuses a token. Once running, the last answer is remembered for /healthz and asked again when it
// is old: every few seconds while Slack is unreachable or refusing, every minute while it is fine.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { SlackConfig } from '../../config.js';
import { checkSlack, refusedProblem, type SlackIdentity, type SlackStatus } from './slack-check.js';

export interface WaitOptions {
  logger: Logger;
  /** Aborted when the bot is told to stop while it waits. */
  signal?: AbortSignal;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** Resolves once Slack takes the tokens; throws ConfigError if it refuses one, the signal's reason if stopped. */
export async function waitForSlack(slack: SlackConfig, options: WaitOptions): Promise<{ identity: SlackIdentity; status: SlackStatus }> {
  const { logger, signal } = options;
  let delayMs = options.firstDelayMs ?? 1000;
  for (;;) {
    signal?.throwIfAborted();
    const { status, identity } = await checkSlack(slack, { appToken: true });
    if (status.state === 'ok' && identity) {
      logger.info('slack reached', { botUserId: identity.botUserId });
      return { identity, status };
    }
    if (status.state === 'refused') throw new ConfigError([refusedProblem(status)]);
    if (status.state === 'unreachable') {
      logger.warn('cannot reach Slack; waiting for it before starting', {
        url: status.url,
        answer: status.answer,
        check: status.check,
        retryInMs: delayMs,
      });
    }
    await sleep(delayMs, undefined, { signal });
    delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 30_000);
  }
}

export interface SlackHealth {
  /** The last answer; asks Slack again in the background when that answer is old. */
  status(): SlackStatus;
}

export interface SlackHealthOptions {
  initial: SlackStatus;
  recheck: () => Promise<SlackStatus>;
  logger: Logger;
  /** How old a good answer may be before it is checked again (default 60 s). */
  okMaxAgeMs?: number;
  /** How old a bad answer may be before it is checked again (default 5 s). */
  failingMaxAgeMs?: number;
}

export function createSlackHealth(options: SlackHealthOptions): SlackHealth {
  const { logger } = options;
  let current = options.initial;
  let checking = false;
  const stale = () => {
    const maxAge = current.state === 'ok' ? (options.okMaxAgeMs ?? 60_000) : (options.failingMaxAgeMs ?? 5000);
    return Date.now() - Date.parse(current.checkedAt) >= maxAge;
  };
  const recheck = async () => {
    checking = true;
    try {
      const next = await options.recheck();
      if (next.state !== current.state) report(next, logger);
      current = next;
    } catch (error) {
      logger.error('slack check failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      checking = false;
    }
  };
  return {
    status() {
      if (!checking && stale()) void recheck();
      return current;
    },
  };
}

function report(status: SlackStatus, logger: Logger): void {
  if (status.state === 'ok') logger.info('slack reachable again');
  else if (status.state === 'refused') logger.error('slack refuses the token', { variable: status.variable, url: status.url, error: status.error });
  else logger.warn('cannot reach Slack', { url: status.url, answer: status.answer, check: status.check });
}
