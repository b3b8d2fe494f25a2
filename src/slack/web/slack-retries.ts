// Which Slack Web API calls may be sent again, and when. The WebClient's own policy resends every
// call that failed with a network error, a timeout or a 5xx; for a call that posts something
// (chat.postMessage, chat.postEphemeral, chat.startStream, chat.appendStream, file uploads) that
// shows the message twice when Slack did carry the call out and only its response was lost.
//
// So the WebClient here resends only after a 429 (it has waited Retry-After by then: Slack did not
// carry the call out), and a small transport below it resends the calls that give the same result
// when sent twice. A post whose outcome is unknown is left to the caller, who looks in the thread
// first (reply/post-once.ts, reply/reply-writer.ts).
import { webApi } from '@slack/bolt';
import { createPool, type Pool } from '../../http-pool.js';

/** Longest wait for one Slack Web API answer; past it the outcome of the call is unknown. */
export const SLACK_CALL_TIMEOUT_MS = 30_000;

/**
 * Methods whose repetition changes nothing a person sees: they set a state (chat.update replaces
 * the message, setStatus sets the status) or only read. A repeated reactions.add / remove answers
 * already_reacted / no_reaction, which callers take as done.
 */
const RESENDABLE = new Set([
  'auth.test',
  'chat.update',
  'conversations.replies',
  'conversations.history',
  'conversations.info',
  'users.info',
  'reactions.add',
  'reactions.remove',
  'assistant.threads.setStatus',
  'assistant.threads.setSuggestedPrompts',
  'assistant.threads.setTitle',
  'views.publish',
]);

export interface TransportOptions {
  /** Attempts of a resendable call, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled before each later one. */
  backoffMs: number;
}

const DEFAULT_TRANSPORT: TransportOptions = { attempts: 3, backoffMs: 300 };

/**
 * WebClient options (Bolt's `clientOptions`) that never resend a call blindly, over a keep-alive
 * connection pool of Slack's own (http-pool.ts; the WebClient takes a `fetch`, not an agent).
 */
export function slackClientOptions(slackApiUrl: string | undefined, transport: TransportOptions = DEFAULT_TRANSPORT, pool: Pool = createPool()): webApi.WebClientOptions {
  return {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: rateLimitRetries,
    fetch: resendingFetch(transport, pool.fetch),
  };
}

/**
 * The WebClient's default schedule (ten retries in about thirty minutes), for 429s only. p-retry
 * (which the WebClient hands these options to) reads onFailedAttempt; a throw there ends the call.
 */
export const rateLimitRetries = {
  ...webApi.retryPolicies.tenRetriesInAboutThirtyMinutes,
  onFailedAttempt: (error: Error): void => {
    if (!isRateLimitWait(error)) throw error;
  },
};

/**
 * After a 429 the WebClient waits Retry-After, then fails the attempt with a plain Error of this
 * message, wrapped in a WebAPIRequestError (node_modules/@slack/web-api/dist/WebClient.js,
 * makeRequest). Slack did not carry that call out.
 */
function isRateLimitWait(error: unknown): boolean {
  const original = error instanceof Error && 'original' in error && error.original instanceof Error ? error.original : error;
  return original instanceof Error && original.message.startsWith('A rate limit was exceeded');
}

/** fetch that resends resendable methods after a network error or a 5xx, with a short backoff. */
export function resendingFetch(options: TransportOptions, base: webApi.FetchFunction = fetch): webApi.FetchFunction {
  return async (url, init) => {
    if (!RESENDABLE.has(methodOf(url))) return base(url, init);
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await base(url, init);
        if (response.status < 500 || attempt >= options.attempts) return response;
      } catch (error) {
        if (attempt >= options.attempts || init?.signal?.aborted) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, options.backoffMs * 2 ** (attempt - 1)));
    }
  };
}

/**
 * Whether a failed call may have been carried out by Slack: no answer came (network error,
 * connection reset, timeout) or Slack answered 5xx. A platform error (`ok: false`), a 4xx or a
 * rejected 429 means it was not.
 */
export function outcomeUnknown(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  if (error.code === webApi.ErrorCode.RequestError) return !isRateLimitWait(error);
  return error.code === webApi.ErrorCode.HTTPError && (error as webApi.WebAPIHTTPError).statusCode >= 500;
}

/** The platform error code of a failed call (`ok: false`), if it was one. */
export function platformError(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && error.code === webApi.ErrorCode.PlatformError) {
    return (error as webApi.WebAPIPlatformError).data.error;
  }
  return undefined;
}

/** The Web API method of a call's URL (the last path segment: `chat.postMessage`). */
export function methodOf(url: string | URL): string {
  const path = typeof url === 'string' ? url.split('?')[0] ?? '' : url.pathname;
  return path.slice(path.lastIndexOf('/') + 1);
}
