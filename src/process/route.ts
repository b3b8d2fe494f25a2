// Which worker gets a request the primary received (WORKERS > 1). Every Events API request about a
// thread goes to the thread's worker (shard.ts): the app_mention/message twins of one mention,
// Slack's retries and a thread's follow-ups meet in one process, which dedupes and orders them as a
// single process does. Anything else (buttons, /mcp, forms, url_verification) may go to any worker:
// those answers go through the shared store. The body is Slack's JSON for events (Events API:
// docs.slack.dev/apis/events-api, "event_callback" with `event.channel`, `event.ts` and, in a thread,
// `event.thread_ts`); interactivity and commands come form-encoded and are not read here.
import { threadHash, workerOf } from './shard.js';

/** The thread's worker for an event about a thread; undefined for anything else. */
export function workerForBody(body: Buffer, contentType: string | undefined, count: number): number | undefined {
  if (!contentType?.startsWith('application/json')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined; // Bolt in the worker answers a malformed body as it always does
  }
  const event = isRecord(parsed) && parsed.type === 'event_callback' && isRecord(parsed.event) ? parsed.event : undefined;
  if (!event || typeof event.channel !== 'string') return undefined;
  const root = typeof event.thread_ts === 'string' ? event.thread_ts : event.ts;
  if (typeof root !== 'string') return undefined;
  return workerOf(threadHash(event.channel, root), count);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
