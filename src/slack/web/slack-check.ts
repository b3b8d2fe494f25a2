// Can the bot reach Slack, and does Slack take its tokens? auth.test with the bot token (and, in
// Socket Mode, apps.connections.open with the app token), each answer sorted into "ok", "refused"
// (a token problem a person must fix: the start stops with one config line, exit 2) or "unreachable"
// (the network, a proxy or Slack itself: worth waiting for). Slack's error codes: the methods' pages
// under docs.slack.dev/reference/methods (invalid_auth, not_authed, account_inactive, token_revoked,
// token_expired, ...); @slack/socket-mode treats the same ones as "unrecoverable" at start
// (UnrecoverableSocketModeStartError). An unknown code counts as a refusal: exiting with the code
// named beats waiting forever on a token that will never work.
import { webApi } from '@slack/bolt';
import type { SlackConfig } from '../../config.js';

export const SLACK_API_URL = 'https://slack.com/api/';

/** Slack errors that say "try later", not "this token is wrong". Any other error code is a refusal. */
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export type SlackStatus =
  | { state: 'ok'; checkedAt: string }
  | { state: 'refused'; checkedAt: string; variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN'; url: string; error: string }
  | { state: 'unreachable'; checkedAt: string; url: string; answer: string; check: string };

export interface SlackIdentity {
  botUserId: string;
  botId: string;
}

export interface SlackCheck {
  status: SlackStatus;
  /** Who the bot token is, when Slack took it. */
  identity?: SlackIdentity;
}

export interface SlackCheckOptions {
  /** Also check the app token (start-up in Socket Mode); re-checks skip it, it opens a connection URL. */
  appToken: boolean;
  timeoutMs?: number;
}

/** One check, never throwing for Slack's or the network's sake. */
export async function checkSlack(slack: SlackConfig, options: SlackCheckOptions): Promise<SlackCheck> {
  const base = slack.apiUrl ?? SLACK_API_URL;
  const client = (token: string) =>
    new webApi.WebClient(token, {
      slackApiUrl: base,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: webApi.LogLevel.ERROR,
    });
  const botUrl = methodUrl(base, 'auth.test');
  let identity: SlackIdentity;
  try {
    const result = await client(slack.botToken).auth.test();
    identity = { botUserId: result.user_id ?? '', botId: result.bot_id ?? '' };
  } catch (error) {
    return { status: failure(error, 'SLACK_BOT_TOKEN', botUrl) };
  }
  if (options.appToken && slack.appToken) {
    const appUrl = methodUrl(base, 'apps.connections.open');
    try {
      await client(slack.appToken).apps.connections.open();
    } catch (error) {
      return { status: failure(error, 'SLACK_APP_TOKEN', appUrl) };
    }
  }
  return { status: { state: 'ok', checkedAt: now() }, identity };
}

/** The configuration line for a token Slack refused: the variable, what Slack said, and the fix. */
export function refusedProblem(status: Extract<SlackStatus, { state: 'refused' }>): string {
  const said = `Slack refused it (${status.error} from ${status.url})`;
  if (status.variable === 'SLACK_APP_TOKEN') {
    return `SLACK_APP_TOKEN: ${said}. Under "Basic Information" -> App-Level Tokens of this same app, create a token with connections:write and put it (xapp-...) in SLACK_APP_TOKEN.`;
  }
  const fix =
    status.error === 'account_inactive' || status.error === 'token_revoked'
      ? 'The app was uninstalled or the token revoked: reinstall the app ("Install App") and copy its new Bot User OAuth Token (xoxb-...) into SLACK_BOT_TOKEN.'
      : 'Copy the Bot User OAuth Token (xoxb-...) again from "OAuth & Permissions" of this app into SLACK_BOT_TOKEN (reinstall the app if it is not there).';
  return `SLACK_BOT_TOKEN: ${said}. ${fix}`;
}

/** What to check when Slack cannot be reached, for the log line and /healthz. */
function unreachableHint(url: string): string {
  return `that this host can open ${new URL(url).origin} (network, DNS, proxy, firewall), that SLACK_API_URL is right if set, and https://slack-status.com`;
}

function failure(error: unknown, variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN', url: string): SlackStatus {
  const unreachable = (answer: string): SlackStatus => ({ state: 'unreachable', checkedAt: now(), url, answer, check: unreachableHint(url) });
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    if (TRANSIENT_ERRORS.has(code)) return unreachable(`Slack answered ${code}`);
    return { state: 'refused', checkedAt: now(), variable, url, error: code };
  }
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return unreachable(`rate limited, retry after ${error.retryAfter} s`);
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    return unreachable(`HTTP ${error.statusCode} ${error.statusMessage}`.trim());
  }
  if (error instanceof webApi.WebAPIRequestError) return unreachable(networkAnswer(error.original));
  return unreachable(error instanceof Error ? error.message : String(error));
}

/** fetch says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, ...) in its cause. */
function networkAnswer(original: Error): string {
  if (original.name === 'TimeoutError' || original.name === 'AbortError') return 'no answer in time';
  const cause: unknown = original.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return original.message;
}

function methodUrl(base: string, method: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${method}`;
}

function now(): string {
  return new Date().toISOString();
}
