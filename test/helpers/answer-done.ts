// The end of a turn as the thread shows it: the call that marks the answer to a question done (its
// message metadata, src/slack/reply/reply-metadata.ts). It is the turn's last Slack call: the turn is
// stored before it, and Slack clears the loading status by itself when the reply comes.
import type { RecordedCall } from '../fakes/slack-api.js';

/** Whether `call` marks the answer to the question at `questionTs` in `channel` done (and Slack took it). */
export function marksAnswerDone(call: RecordedCall, channel: string, questionTs: string): boolean {
  if (call.status !== 200 || call.response?.ok !== true) return false;
  const metadata = call.body.metadata as { event_payload?: { question?: unknown; done?: unknown } } | undefined;
  return metadata?.event_payload?.question === `${channel}:${questionTs}` && metadata.event_payload.done === true;
}
