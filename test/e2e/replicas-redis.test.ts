// Two real bot processes behind one Slack app, sharing one Redis (STORE_URL=redis://...), the way
// a team runs replicas. Slack delivers each event to either of them: a retry can reach the other
// one, the app_mention/message twins of one mention can be split between them, the messages of one
// thread can alternate. Still: every message is answered once, a thread's messages in order with
// one history, and a replica killed mid-turn does not block its thread beyond its lock's lease.
// Needs Redis at REDIS_URL or 127.0.0.1:6379 (fails without). Keys carry this run's id and are
// deleted at the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_INTAKE_PREFIX } from '../../src/intake/redis.js';
import { conversationKey } from '../../src/slack/intake/question.js';
import { reply, startFakeAnthropic, type FakeAnthropic, type MessagesRequest } from '../fakes/anthropic.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { until } from '../helpers/replica-coordinators.js';
import { startReplica, type Replica } from '../helpers/replica-bots.js';
import { deleteKeysWith, REDIS_URL, runId, withRedis } from '../helpers/replica-redis.js';
import { appMention, DEFAULT_TEAM_ID, messageEvent, nextTs, type EventEnvelope, type EventInput } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const RUN = runId().toUpperCase(); // in every channel, user and event id, so this run's keys are findable
const BOT = '<@U0FAKEBOT1>';
const LEASE_MS = 3000; // the replicas' lease on a thread: how long a killed replica holds its question (short, yet long enough that a loaded machine's pauses do not lose it)
const WAIT_MS = 30_000;

/** The question names in a request's last message ("q-..." words), e.g. "q-first". */
function asked(request: MessagesRequest): string[] {
  return JSON.stringify(request.messages.at(-1)?.content ?? '').match(/q-[\w-]+/g) ?? [];
}

describe('replicas sharing one Redis', () => {
  let slack: FakeSlackApi;
  let anthropic: FakeAnthropic;
  let one: Replica;
  let two: Replica;
  let victim: Replica; // killed in the last test
  const replicas: Replica[] = [];
  /** Questions whose answer waits for the test (a gate) or never comes (the model hangs). */
  const held = new Map<string, Promise<void> | 'hang'>();
  let events = 0;
  let channels = 0;

  const env = { LOCK_LEASE_MS: String(LEASE_MS) };
  const start = async (name: string) => {
    const replica = await startReplica({ name, slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url, storeUrl: REDIS_URL, env });
    replicas.push(replica);
    return replica;
  };

  before(async () => {
    // Fail at once without Redis: a bot whose redis:// store cannot connect waits for it forever.
    await withRedis((client) => client.ping());
    slack = await startFakeSlackApi();
    anthropic = await startFakeAnthropic({
      // Each answer names its question, so a test can tell which question an answer is for.
      script: async (request) => {
        const names = asked(request);
        const hold = names.map((n) => held.get(n)).find((h) => h !== undefined);
        if (hold === 'hang') return reply.hang();
        if (hold) await hold;
        return reply.text(`Answer to ${names.join(' ')}.`);
      },
    });
    [one, two, victim] = await Promise.all([start('one'), start('two'), start('victim')]);
  });

  after(async () => {
    // A replica the last test did not get to kill may still hold a hung turn, which would hold up a
    // graceful stop: kill them all (a replica already killed is simply gone).
    await Promise.all(replicas.map((r) => r.kill()));
    await slack.close();
    await anthropic.close();
    await deleteKeysWith(RUN);
  });

  /** Turns running now on each replica, by its /healthz. */
  const runningTurns = (candidates: Replica[]): Promise<number[]> =>
    Promise.all(candidates.map(async (r) => ((await (await fetch(`${r.url}/healthz`)).json()) as { turns?: { running?: number } }).turns?.running ?? 0));

  /** The one replica with a turn running now, by its /healthz. */
  const answeringReplica = async (candidates: Replica[]): Promise<Replica> => {
    const running = await runningTurns(candidates);
    const busy = candidates.filter((_, i) => (running[i] ?? 0) > 0);
    assert.equal(busy.length, 1, `exactly one replica is answering (turns running: ${running.join(', ')})`);
    return busy[0] as Replica;
  };

  const newChannel = () => `C${RUN}${++channels}`;
  const envelope = (type: 'app_mention' | 'message', input: EventInput): EventEnvelope =>
    (type === 'app_mention' ? appMention : messageEvent)(input, { event_id: `Ev${RUN}${++events}` });
  const answersTo = (channel: string, thread: string, name: string) =>
    slack.messages(channel, thread).filter((m) => m.stream && (m.markdown_text ?? '').includes(`${name}.`));
  const answered = (channel: string, thread: string, name: string) => answersTo(channel, thread, name).some((m) => m.stream === 'stopped');
  const callsFor = (name: string) => anthropic.calls.filter((c) => asked(c).includes(name));
  /** Whether a question waits in the thread's inbox behind the one being answered. */
  const waitingInLine = (channel: string, thread: string) =>
    withRedis(async (client) => (await client.lLen(`${DEFAULT_INTAKE_PREFIX}q:${conversationKey(DEFAULT_TEAM_ID, channel, thread)}`)) > 1);

  /**
   * Mentions the bot in the thread through `replica` and waits for that answer. A replica handles
   * a thread's events in the order they reach it, so by then everything sent to it earlier in the
   * thread has been answered or dropped.
   */
  async function barrier(replica: Replica, channel: string, thread: string): Promise<void> {
    const name = `q-barrier${++events}`;
    await replica.send(envelope('app_mention', { channel, user: `U${RUN}9`, text: `${BOT} ${name}`, thread_ts: thread }));
    await slack.waitUntil(() => answered(channel, thread, name), WAIT_MS);
  }

  it('answers once when Slack resends an event to the other replica', async () => {
    const rounds = Array.from({ length: 10 }, (_, i) => ({ channel: newChannel(), ts: nextTs(), name: `q-resent${i}` }));
    await Promise.all(
      rounds.map(async ({ channel, ts, name }) => {
        const first = envelope('app_mention', { channel, user: `U${RUN}5`, text: `${BOT} ${name}`, ts });
        // The retry comes while the first delivery is still being handled: the race a slow ack makes.
        const [a, b] = await Promise.all([one.send(first), two.send(first, { retryNum: 1 })]);
        assert.deepEqual([a.status, b.status], [200, 200]);
        await Promise.all([barrier(one, channel, ts), barrier(two, channel, ts)]);
      }),
    );
    for (const { channel, ts, name } of rounds) {
      assert.equal(answersTo(channel, ts, name).length, 1, `${name}: answers in Slack`);
      assert.equal(callsFor(name).length, 1, `${name}: turns run`);
    }
  });

  it('answers once when the app_mention and message twins reach different replicas', async () => {
    const rounds = Array.from({ length: 10 }, (_, i) => ({ channel: newChannel(), ts: nextTs(), name: `q-twin${i}` }));
    await Promise.all(
      rounds.map(async ({ channel, ts, name }, i) => {
        const input = { channel, user: `U${RUN}5`, text: `${BOT} ${name}`, ts };
        const [mention, message] = [envelope('app_mention', input), envelope('message', input)];
        // Which replica gets which twin alternates, so neither kind always comes first.
        const [a, b] = i % 2 === 0 ? [one, two] : [two, one];
        await Promise.all([a.send(mention), b.send(message)]);
        await Promise.all([barrier(one, channel, ts), barrier(two, channel, ts)]);
      }),
    );
    for (const { channel, ts, name } of rounds) {
      assert.equal(answersTo(channel, ts, name).length, 1, `${name}: answers in Slack`);
      assert.equal(callsFor(name).length, 1, `${name}: turns run`);
    }
  });

  it('answers the messages of one thread in order, with one history, across replicas', async () => {
    const channel = newChannel();
    const root = nextTs();
    let release!: () => void;
    held.set('q-first', new Promise<void>((r) => (release = r)));
    await one.send(envelope('app_mention', { channel, user: `U${RUN}5`, text: `${BOT} q-first`, ts: root }));
    await until(() => callsFor('q-first').length === 1); // replica one is mid-turn on the thread
    await two.send(envelope('app_mention', { channel, user: `U${RUN}6`, text: `${BOT} q-second`, thread_ts: root }));
    // Replica two has the second message: it either waits for the thread or (without coordination) answers at once.
    await until(async () => callsFor('q-second').length > 0 || (await waitingInLine(channel, root)));
    release();
    await slack.waitUntil(() => answered(channel, root, 'q-first') && answered(channel, root, 'q-second'), WAIT_MS);

    const second = callsFor('q-second')[0];
    assert.ok(second);
    const seen = JSON.stringify(second.messages);
    assert.ok(seen.includes('q-first') && seen.includes('Answer to q-first.'), `the second turn saw the first exchange: ${seen}`);
    const [firstAnswer] = answersTo(channel, root, 'q-first');
    const [secondAnswer] = answersTo(channel, root, 'q-second');
    assert.ok(firstAnswer && secondAnswer && Number(firstAnswer.ts) < Number(secondAnswer.ts), 'answered in the order asked');

    // A third message, back on replica one: the stored history has both exchanges, in order.
    await one.send(envelope('app_mention', { channel, user: `U${RUN}5`, text: `${BOT} q-third`, thread_ts: root }));
    await slack.waitUntil(() => answered(channel, root, 'q-third'), WAIT_MS);
    const history = (callsFor('q-third')[0]?.messages ?? []).map((m) => JSON.stringify(m.content));
    const order = ['q-first', 'Answer to q-first.', 'q-second', 'Answer to q-second.', 'q-third'].map((text) => history.findIndex((h) => h.includes(text)));
    assert.deepEqual(order, [0, 1, 2, 3, 4], `one history, in order: ${history.join(' | ')}`);
    assert.deepEqual(anthropic.rejections, []);
  });

  it('a replica killed mid-turn: another answers that question within the lease plus 5 s, after one note, then a plain follow-up in order', async () => {
    // The earlier tests' turns end after their answers are visible (spend is recorded after the
    // answer): wait for them, so the one turn running below is this question's.
    for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 50))) {
      const running = await runningTurns([one, two, victim]);
      if (running.every((n) => n === 0)) break;
      assert.ok(Date.now() - started < 30_000, `the earlier tests' turns did not end (turns running: ${running.join(', ')})`);
    }
    const channel = newChannel();
    const root = nextTs();
    let release!: () => void;
    held.set('q-doomed', new Promise<void>((r) => (release = r))); // the victim is mid-answer until it dies
    // The question is a message in Slack before Slack sends its event (the taker reads the thread).
    slack.addUserMessage({ channel, user: `U${RUN}5`, text: `${BOT} q-doomed`, ts: root });
    const asked = await victim.send(envelope('app_mention', { channel, user: `U${RUN}5`, text: `${BOT} q-doomed`, ts: root }));
    assert.equal(asked.status, 200, 'acked: from here on Slack will not send it again');
    await until(() => callsFor('q-doomed').length === 1);
    // Any replica's workers may take the question from the shared inbox (the one that acked holds
    // its workers back while acks are in flight): the one answering it is the one to kill.
    const doomedHolder = await answeringReplica([one, two, victim]);
    const survivor = [one, two, victim].find((r) => r !== doomedHolder) ?? two;
    // A plain reply, no mention: the thread is the bot's since the mention was accepted.
    const followed = await survivor.send(envelope('message', { channel, user: `U${RUN}5`, text: 'q-follow', thread_ts: root }));
    assert.equal(followed.status, 200);
    assert.equal(await waitingInLine(channel, root), true, 'the follow-up waits in the thread inbox behind the question');

    await doomedHolder.kill(); // kill -9: no release; its hold on the thread ends with its lease
    const killedAt = Date.now();
    release(); // the model would now answer anyone who asks again
    await slack.waitUntil(() => answered(channel, root, 'q-doomed'), LEASE_MS + 5000 + 5000);
    const tookMs = Date.now() - killedAt;
    assert.ok(tookMs <= LEASE_MS + 5000, `answered ${tookMs} ms after the kill (lease ${LEASE_MS} ms)`);
    await slack.waitUntil(() => answered(channel, root, 'q-follow'), WAIT_MS);

    const thread = slack.messages(channel, root).filter((m) => m.ts !== root && m.user !== `U${RUN}5`);
    const notes = thread.filter((m) => /interrupted/.test(m.text ?? ''));
    assert.equal(notes.length, 1, 'one note that the answer was interrupted');
    const [doomed] = answersTo(channel, root, 'q-doomed').filter((m) => m.stream === 'stopped');
    const [follow] = answersTo(channel, root, 'q-follow').filter((m) => m.stream === 'stopped');
    assert.equal(answersTo(channel, root, 'q-doomed').filter((m) => m.stream === 'stopped').length, 1, 'the question is answered once');
    assert.ok(doomed && follow && notes[0], 'both answered');
    assert.ok(Number(notes[0].ts) < Number(doomed.ts) && Number(doomed.ts) < Number(follow.ts), 'note, answer, then the follow-up, in order');
    const history = JSON.stringify(callsFor('q-follow')[0]?.messages ?? []);
    assert.ok(history.indexOf('q-doomed') < history.indexOf('Answer to q-doomed.') && history.indexOf('Answer to q-doomed.') < history.lastIndexOf('q-follow'), history);
    assert.deepEqual(anthropic.rejections, [], 'what the survivor sent (the history the victim left) is valid');
  });
});
