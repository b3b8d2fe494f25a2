// Time to first visible words: the model streams a long answer over 3 s in 30 pieces; how long after
// its first text delta leaves the model does Slack get a call that puts answer text on screen?
import { reply } from '../../test/fakes/anthropic.js';
import { carriesText, withBenchBot, tagOf } from '../lib/bench-bot.js';
import { summarize } from '../lib/stats.js';
import { atMost, type Row, type Scenario } from '../lib/types.js';

const RUNS = 10;
const STREAM = { chunks: 30, durationMs: 3000 };
const ANSWER_TIMEOUT_MS = 20_000;

const LONG_TEXT = Array.from(
  { length: 24 },
  (_, i) => `Sentence ${i + 1} of the answer explains one more part of the question in plain words.`,
).join(' ');

export const firstWords: Scenario = {
  id: 'first-words',
  method:
    `${RUNS} mentions, one at a time, each in its own channel; the fake model streams a ${LONG_TEXT.length}-character answer ` +
    `in ${STREAM.chunks} text deltas over ${STREAM.durationMs} ms. The model tap timestamps the moment the first text delta ` +
    'passes back to the bot; the fake Slack API records when the first call carrying answer text arrives (chat.startStream / ' +
    'appendStream with markdown_text or a markdown_text chunk). The second row times the same call from the moment the event ' +
    `was sent (it includes the fake's own pause of ${STREAM.durationMs / STREAM.chunks} ms before its first delta).`,
  async run(ctx) {
    return withBenchBot({
      script: (request) => (tagOf(request) === 'warm' ? reply.text('Warm.') : reply.text(LONG_TEXT, { stream: STREAM })),
    }, async (bot) => {
      await bot.sendTimed(bot.mentionEnvelope('CWARM0001', 'warm'));
      await bot.waitForCalls('chat.stopStream', 1, ANSWER_TIMEOUT_MS);

      const afterModel: number[] = [];
      const afterEvent: number[] = [];
      const firstPieceChars: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const channel = `CWORDS${String(run).padStart(3, '0')}`;
        const tag = `words-${run}`;
        const { sentAt } = await bot.sendTimed(bot.mentionEnvelope(channel, tag));
        await bot.waitForCalls((call) => call.method === 'chat.stopStream' && call.body.channel === channel, 1, ANSWER_TIMEOUT_MS);
        const model = bot.tap.messagesFor(tag)[0];
        const first = bot.h.slack.calls().find((call) => call.body.channel === channel && carriesText(call));
        if (!model?.firstTextAt || !first) throw new Error(`first-words run ${run}: no model text delta or no text call recorded`);
        afterModel.push(first.at - model.firstTextAt);
        afterEvent.push(first.at - sentAt);
        firstPieceChars.push(firstText(first.body).length);
        ctx.log(`first-words: run ${run + 1}/${RUNS}: ${first.at - model.firstTextAt} ms after the first delta`);
      }
      const a = summarize(afterModel);
      const e = summarize(afterEvent);
      const delta = Math.round(LONG_TEXT.length / STREAM.chunks);
      const afterModelRow: Row = {
        measurement: 'first visible words after the model starts streaming',
        unit: 'ms',
        n: a.n,
        p50: a.p50,
        max: a.max,
        notes: `first text call carried a median ${summarize(firstPieceChars).p50} chars (deltas are ~${delta} chars); Date.now() resolution (1 ms)`,
      };
      afterModelRow.targets = [atMost(afterModelRow, 'max', 600, 'issue')];
      return [
        afterModelRow,
        {
          measurement: 'first visible words after the event is sent',
          unit: 'ms',
          n: e.n,
          p50: e.p50,
          max: e.max,
          notes: `includes the fake model's ${STREAM.durationMs / STREAM.chunks} ms before its first delta`,
        },
      ];
    });
  },
};

function firstText(body: Record<string, unknown>): string {
  if (typeof body.markdown_text === 'string') return body.markdown_text;
  const chunks = Array.isArray(body.chunks) ? (body.chunks as { type?: unknown; text?: unknown }[]) : [];
  return chunks
    .filter((c) => c.type === 'markdown_text' && typeof c.text === 'string')
    .map((c) => String(c.text))
    .join('');
}
