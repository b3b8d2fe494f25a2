// Every Slack Web API call, observed at the WebClient's `fetch` (the one hook all its calls go
// through, including Bolt's own and the 429s the client then waits out and resends): counted by
// method and outcome, and a client span under the turn's span. The WebClient's options are wrapped
// once, where the app is built; with noTelemetry they are used as they are.
import type { webApi } from '@slack/bolt';
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_RPC_METHOD } from '@opentelemetry/semantic-conventions';
import { methodOf } from '../slack/web/slack-retries.js';
import { noTelemetry, type SlackOutcome, type Telemetry } from './telemetry.js';

/** What the WebClient's fetch resolves with (the package does not export the type by name). */
type FetchResponse = Awaited<ReturnType<webApi.FetchFunction>>;

export function observeSlackCalls(options: webApi.WebClientOptions, telemetry: Telemetry): webApi.WebClientOptions {
  if (telemetry === noTelemetry) return options;
  const base = options.fetch ?? fetch;
  const observed: webApi.FetchFunction = (url, init) => {
    const method = methodOf(url);
    return telemetry.span(`slack ${method}`, { kind: 'client', attributes: { [ATTR_RPC_METHOD]: method } }, async (span) => {
      let response: FetchResponse;
      try {
        response = await base(url, init);
      } catch (error) {
        telemetry.slackCall(method, 'network_error');
        throw error;
      }
      span.set({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: response.status });
      const read = response.status === 200 ? await readBody(response) : undefined;
      const outcome: SlackOutcome = response.status === 429 ? 'rate_limited' : !read ? 'http_error' : read.ok ? 'ok' : 'error';
      telemetry.slackCall(method, outcome);
      if (outcome !== 'ok') span.fail(outcome);
      return read?.response ?? response;
    });
  };
  return { ...options, fetch: observed };
}

/**
 * Reads a 200's body once to see Slack's own `ok` field, and hands the WebClient a response with the
 * same text (it reads it with text(); node_modules/@slack/web-api/dist/WebClient.js, buildResult).
 */
async function readBody(response: FetchResponse): Promise<{ ok: boolean; response: FetchResponse }> {
  const text = await response.text();
  const same: FetchResponse = {
    ok: response.ok,
    status: response.status,
    statusText: response.statusText,
    url: response.url,
    headers: response.headers,
    text: () => Promise.resolve(text),
    json: () => Promise.resolve(JSON.parse(text) as unknown),
    arrayBuffer: () => Promise.resolve(new TextEncoder().encode(text).buffer),
  };
  return { ok: slackOk(text), response: same };
}

/**
 * Slack's `ok` in a Web API answer. Slack writes it first ({"ok":true,... / {"ok":false,...), so
 * the answer's start says it without parsing the whole body a second time (the WebClient parses it
 * anyway: a conversations.replies page is tens of kB); any other shape is parsed.
 */
export function slackOk(text: string): boolean {
  if (text.startsWith('{"ok":true')) return true;
  if (text.startsWith('{"ok":false')) return false;
  try {
    return (JSON.parse(text) as { ok?: unknown }).ok !== false;
  } catch {
    return true; // Not JSON (no Web API method answers so): the WebClient will say what it makes of it.
  }
}
