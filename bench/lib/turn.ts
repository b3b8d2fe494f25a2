// One mention, answered, taken apart: when the event went out, when the bot first called the model,
// how long the model and the tools took, when chat.stopStream reached Slack, how many Slack calls
// the thread got by then. Scenarios run turns one at a time with this and aggregate.
import type { RecordedCall } from '../../test/fakes/slack-api.js';
import { carriesText, type BenchBot } from './bench-bot.js';
import type { TappedCall } from './model-tap.js';

export interface TurnTiming {
  /** Event sent -> chat.stopStream arrived at the fake Slack API. */
  turnMs: number;
  /** Event sent -> the bot's first Messages request reached the model tap. */
  toModelMs: number;
  /** Sum over the turn's Messages calls of arrival -> end of response. */
  modelMs: number;
  /** Each tool call's time, from the hub's "tool call" log lines. */
  toolMs: number[];
  /**
   * The last model call's first text delta (at the tap) -> the first Slack call of the thread that
   * carries answer text. Undefined when either is missing.
   */
  textAfterModelMs: number | undefined;
  /**
   * The thread's Slack calls that reached the fake after that first text delta and before the first
   * text call, plus the one already in flight then (sent less than `inFlightMs` before the delta):
   * what the answer's first words queued behind. Methods, in order.
   */
  queuedBeforeText: string[];
  /** Slack calls for this thread up to and including chat.stopStream. */
  slackCalls: number;
  modelCalls: TappedCall[];
}

export async function timedTurn(bot: BenchBot, channel: string, tag: string, timeoutMs: number, inFlightMs = 0): Promise<TurnTiming> {
  const logFrom = bot.h.logLines.length;
  const { sentAt } = await bot.sendTimed(bot.mentionEnvelope(channel, tag));
  const isStop = (call: RecordedCall) => call.method === 'chat.stopStream' && call.body.channel === channel;
  const [stop] = await bot.waitForCalls(isStop, 1, timeoutMs);
  if (!stop) throw new Error(`no chat.stopStream in ${channel}`);
  const modelCalls = bot.tap.messagesFor(tag);
  const first = modelCalls[0];
  if (!first || modelCalls.some((c) => c.endAt === undefined)) throw new Error(`${tag}: the model calls did not all finish`);
  // chat.stopStream is the turn's last Slack call: the turn is stored before it (the usage line under
  // the answer waits for the store write), and Slack clears the loading status itself.
  const all = bot.h.slack.calls();
  const upToStop = all.slice(0, all.indexOf(stop) + 1);
  const textAt = modelCalls.at(-1)?.firstTextAt;
  const firstText = upToStop.find((c) => c.body.channel === channel && carriesText(c));
  const ofThread = (c: RecordedCall) => c.body.channel === channel || c.body.channel_id === channel;
  const queuedBeforeText =
    textAt !== undefined && firstText
      ? upToStop.filter((c) => ofThread(c) && c !== firstText && c.at > textAt - inFlightMs && c.at <= firstText.at).map((c) => c.method)
      : [];
  return {
    queuedBeforeText,
    textAfterModelMs: textAt !== undefined && firstText ? firstText.at - textAt : undefined,
    turnMs: stop.at - sentAt,
    toModelMs: first.arrivedAt - sentAt,
    modelMs: modelCalls.reduce((sum, c) => sum + ((c.endAt ?? c.arrivedAt) - c.arrivedAt), 0),
    toolMs: toolCallMs(bot.h.logLines.slice(logFrom)),
    slackCalls: upToStop.filter((c) => c.body.channel === channel || c.body.channel_id === channel).length,
    modelCalls,
  };
}

/** The `ms` of each "tool call" line the MCP hub logged. */
function toolCallMs(lines: string[]): number[] {
  const out: number[] = [];
  for (const line of lines) {
    if (!line.includes('"tool call"')) continue;
    const parsed = JSON.parse(line) as { msg?: unknown; ms?: unknown };
    if (parsed.msg === 'tool call' && typeof parsed.ms === 'number') out.push(parsed.ms);
  }
  return out;
}
