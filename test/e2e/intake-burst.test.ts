// A burst of 500 mentions at once, in 500 threads, through the real bot (Bolt over HTTP, the sqlite
// inbox) with the fake model answering at once: every one is acked (200) without waiting behind
// the turns, and every one is answered, once. The ack times are printed for the record.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { appMention, nextTs } from '../helpers/sign.js';

const BURST = 500;

describe('intake: a burst of mentions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ servers: {}, script: (request) => reply.text(`Answer to ${JSON.stringify(request.messages.at(-1)?.content).match(/q-\d+/)?.[0] ?? '?'}.`) });
  });
  after(() => h.stop());

  it(`acks all ${BURST} mentions sent at once and answers each once`, async () => {
    const asked = Array.from({ length: BURST }, (_, i) => ({ channel: `CB${i}`, ts: nextTs(), word: `q-${i}` }));
    const acks = await Promise.all(
      asked.map(async ({ channel, ts, word }) => {
        const startedAt = performance.now();
        const response = await h.send(appMention({ channel, user: 'UB1', text: `<@U0FAKEBOT1> ${word}`, ts }));
        return { status: response.status, ms: performance.now() - startedAt };
      }),
    );
    assert.deepEqual(acks.filter((a) => a.status !== 200), [], 'every mention acked');
    const ms = acks.map((a) => a.ms).sort((a, b) => a - b);
    const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0);
    console.log(`# ${BURST} at once: ack p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${Math.round(ms.at(-1) ?? 0)} ms`);

    const answersIn = ({ channel, ts, word }: (typeof asked)[number]) =>
      h.slack.messages(channel, ts).filter((m) => m.stream === 'stopped' && (m.markdown_text ?? '').includes(`Answer to ${word}.`));
    await h.slack.waitUntil(() => asked.every((q) => answersIn(q).length > 0), 240_000);
    assert.deepEqual(asked.filter((q) => answersIn(q).length !== 1).map((q) => q.word), [], 'each answered once');
    assert.equal(h.anthropic.calls.length, BURST, 'one turn per question');
    // The last turns are still cleaning up (reactions, status): wait for the workers to be idle.
    const turns = async () => ((await (await fetch(`${h.url}/healthz`)).json()) as { turns: { running: number; queued: number } }).turns;
    const deadline = Date.now() + 30_000;
    let now = await turns();
    while ((now.running > 0 || now.queued > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      now = await turns();
    }
    assert.deepEqual({ running: now.running, queued: now.queued }, { running: 0, queued: 0 }, 'the workers are idle and the inbox is empty');
  });
});
