// One plain sentence for people when a Claude call fails (after the SDK's own retries). The details
// (status, request id, API message) go to the log, never to the channel.
import Anthropic from '@anthropic-ai/sdk';

/** Thrown when a started stream sends nothing for too long (the SDK's timeout stops at the headers). */
export class StreamStalledError extends Error {
  constructor(readonly idleMs: number) {
    super(`the response stream sent nothing for ${idleMs} ms`);
    this.name = 'StreamStalledError';
  }
}

/** Thrown when the caller's signal stops the turn. */
export class TurnAbortedError extends Error {
  constructor() {
    super('the turn was cancelled');
    this.name = 'TurnAbortedError';
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof TurnAbortedError || error instanceof Anthropic.APIUserAbortError;
}

export function describeModelError(error: unknown): string {
  if (isAbort(error)) return 'The answer was cancelled before Claude finished.';
  if (error instanceof StreamStalledError) return 'Claude stopped sending its answer midway; please try again.';
  if (error instanceof Anthropic.APIConnectionTimeoutError) return 'Claude did not answer in time; please try again in a minute.';
  if (error instanceof Anthropic.APIConnectionError) return 'The bot could not reach Claude; please try again in a minute.';
  if (error instanceof Anthropic.APIError) {
    const status = modelErrorStatus(error);
    switch (status) {
      case 529:
        return 'Claude is overloaded right now (529); please try again in a minute.';
      case 429:
        return 'Claude is getting too many requests from this bot right now (429); please try again in a minute.';
      case 401:
        return 'Claude turned down the bot\'s API key (401); an admin needs to check ANTHROPIC_API_KEY.';
      case 403:
        return 'The bot\'s API key is not allowed to use this model (403); an admin needs to check its permissions.';
      case 404:
        return 'Claude\'s API does not know this model or address (404); an admin needs to check ANTHROPIC_MODEL and ANTHROPIC_BASE_URL.';
      case 413:
        return 'This conversation has grown too large for Claude (413); please start a new thread.';
      case 400:
        return 'Claude\'s API refused the request (400); the details are in the bot\'s log.';
      default:
        if (status !== undefined && status >= 500) return `Claude's API had an internal error (${status}); please try again in a minute.`;
        return `Claude's API answered with an error${status ? ` (${status})` : ''}; please try again.`;
    }
  }
  return 'Something went wrong while talking to Claude; the details are in the bot\'s log.';
}

/** The HTTP status of a failed call; errors sent inside a stream have none, only the error type. */
export function modelErrorStatus(error: { readonly status: number | undefined; readonly type: string | null }): number | undefined {
  return error.status ?? statusOfType(error.type);
}

function statusOfType(type: string | null): number | undefined {
  switch (type) {
    case 'overloaded_error':
      return 529;
    case 'rate_limit_error':
      return 429;
    case 'api_error':
      return 500;
    case 'invalid_request_error':
      return 400;
    case 'request_too_large':
      return 413;
    default:
      return undefined;
  }
}

/** Fields for the log line of a failed call. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Anthropic.APIError) {
    return { errorName: error.name, status: error.status, type: error.type, requestId: error.requestID, apiMessage: error.apiMessage };
  }
  if (error instanceof Error) return { errorName: error.name, error: error.message };
  return { error: String(error) };
}
