// What the terminal chat says when a Claude call fails. The person at the terminal is the one who set
// the chat up, so the line names the setting to check (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY,
// ANTHROPIC_MODEL) and speaks of the chat, where the Slack front's sentences (describeModelError)
// speak of "the bot" and send people to an admin and the bot's log.
import Anthropic from '@anthropic-ai/sdk';
import { isAbort, modelErrorStatus, StreamStalledError } from '../agent/index.js';

/** The SDK's own default, used when ANTHROPIC_BASE_URL is not set. */
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

export interface ChatModelSettings {
  /** ANTHROPIC_BASE_URL, when set. */
  baseURL?: string;
  model: string;
}

/** The chat's sentence for a failed turn, or undefined to keep the shared one (a cancel, a stall). */
export function describeChatError(error: unknown, settings: ChatModelSettings): string | undefined {
  if (isAbort(error) || error instanceof StreamStalledError) return undefined;
  const where = settings.baseURL ? `ANTHROPIC_BASE_URL (${settings.baseURL})` : `Anthropic's API (${DEFAULT_BASE_URL}, ANTHROPIC_BASE_URL is not set)`;
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return `Claude did not answer within ANTHROPIC_TIMEOUT_MS; check that ${where} is reachable, then try again.`;
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return `The chat could not reach Claude at ${where}: ${connectionCause(error)}. Check ANTHROPIC_BASE_URL and your network.`;
  }
  if (error instanceof Anthropic.APIError) {
    const status = modelErrorStatus(error);
    const detail = error.apiMessage ? ` ("${error.apiMessage}")` : '';
    switch (status) {
      case 401:
        return `Claude turned down the API key (401)${detail}; check ANTHROPIC_API_KEY (in the environment or .env).`;
      case 403:
        return `The API key may not use this model or API (403)${detail}; check ANTHROPIC_API_KEY and ANTHROPIC_MODEL (${settings.model}).`;
      case 404:
        return `${where} does not know the model ${settings.model} or this address (404)${detail}; check ANTHROPIC_MODEL and ANTHROPIC_BASE_URL.`;
      case 429:
        return `Claude is getting too many requests for this API key (429); try again in a minute.`;
      case 400:
        return `Claude's API refused the request (400)${detail}.`;
      default:
        return undefined; // 413, 529, 5xx: the shared sentence says it all
    }
  }
  return `Something went wrong while talking to Claude: ${error instanceof Error ? error.message : String(error)}`;
}

/** "connection refused", "no such host", ... from the errors under the SDK's (fetch's, then the socket's). */
function connectionCause(error: Error): string {
  let reason = error.message;
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
    if (code === 'ECONNRESET') return 'the connection was reset';
    if (code) return code;
    reason = cause.message;
    cause = cause.cause;
  }
  return reason;
}
