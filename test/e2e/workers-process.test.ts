// `npm start` with WORKERS=2 on the default sqlite store (src/process/): one primary on PORT, two
// worker processes sharing the sqlite file. Each question is answered once, by the worker its
// thread belongs to, also when it arrives twice at once (the app_mention and message twins of a
// mention); /healthz names both workers; SIGTERM to the primary ends both, and it exits 0. A worker
// that dies is started again. Socket Mode runs as one process whatever WORKERS says.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { conversationHash, workerOf } from '../../src/process/shard.js';
import { FAKE_API_KEY, reply, startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeSlackApi } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { FakeSocketMode } from '../fakes/socket-mode.js';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { alive, botProcessEnv, freePort, startBotProcess, waitHealthy } from '../helpers/bot-process.js';
import { appMention, messageEvent, nextTs, postEvent } from '../helpers/sign.js';

strictSlack();

const THREADS = 12;

interface WorkerHealth {
  worker: number;
  pid: number;
  ready: boolean;
}

interface LogLine {
  msg?: string;
  worker?: number;
  conversation?: string;
}

describe('npm start with WORKERS=2 on sqlite', () => {
  it('answers each question once, in the worker of its thread; SIGTERM ends both workers and the primary exits 0', async () => {
    const slack = await startFakeSlackApi();
    const anthropic = await startFakeAnthropic({ script: () => reply.text('Answered.') });
    const cwd = mkdtempSync(path.join(tmpdir(), 'bot-workers-'));
    const port = await freePort();
    const env = { ...botProcessEnv({ slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url }, port, cwd, { bot: TEST_BOT_TOKEN, signing: TEST_SIGNING_SECRET, apiKey: FAKE_API_KEY }), WORKERS: '2' };
    const bot = startBotProcess(env, cwd);
    try {
      await waitHealthy(port, bot);
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { ready: boolean; workers: WorkerHealth[] };
      assert.equal(health.ready, true);
      assert.deepEqual(health.workers.map((w) => w.worker), [0, 1]);
      const pids = health.workers.map((w) => w.pid);
      assert.equal(new Set(pids).size, 2, 'two worker processes');
      for (const pid of pids) assert.ok(alive(pid));

      // Every mention in a channel also arrives as a message event: both are sent at once.
      const threads = Array.from({ length: THREADS }, (_, i) => ({ channel: `C9W${i}`, ts: nextTs() }));
      const url = `http://127.0.0.1:${port}/slack/events`;
      const sent = await Promise.all(
        threads.flatMap(({ channel, ts }) => {
          const input = { channel, user: 'U8', text: '<@U0FAKEBOT1> which worker?', ts };
          return [postEvent(url, appMention(input), { signingSecret: TEST_SIGNING_SECRET }), postEvent(url, messageEvent(input), { signingSecret: TEST_SIGNING_SECRET })];
        }),
      );
      assert.deepEqual(sent.map((response) => response.status), sent.map(() => 200), 'every event acked');
      await slack.waitUntil(() => threads.every(({ channel, ts }) => slack.messages(channel, ts).some((m) => m.stream === 'stopped')), 60_000);

      for (const { channel, ts } of threads) {
        const answers = slack.messages(channel, ts).filter((m) => m.stream !== undefined);
        assert.equal(answers.length, 1, `one answer in ${channel}`);
        assert.match(answers[0]?.markdown_text ?? '', /Answered\./);
      }
      // A turn logs "turn answered" just after its last Slack call.
      const answeredLines = () =>
        bot.run.stderr
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as LogLine)
          .filter((line) => line.msg === 'turn answered');
      const deadline = Date.now() + 60_000;
      while (answeredLines().length < THREADS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const answered = answeredLines();
      assert.equal(answered.length, THREADS, 'one turn per question');
      for (const line of answered) {
        assert.equal(line.worker, workerOf(conversationHash(line.conversation ?? ''), 2), `${line.conversation} answered by its thread's worker`);
      }
      assert.deepEqual([...new Set(answered.map((line) => line.worker))].sort(), [0, 1], 'both workers answered');
      assert.equal(anthropic.requests.filter((r) => r.path === '/v1/messages').length, THREADS, 'Claude asked once per question');

      bot.program.signal('SIGTERM');
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
      for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} is gone`);
      assert.match(run.stderr, /"msg":"stopped","room":"process"/);
    } finally {
      bot.program.killGroup();
      await slack.close();
      await anthropic.close();
    }
  });

  it('starts a worker that died again; /healthz says 503 meanwhile and 200 once it is back, and its threads are answered', async () => {
    const slack = await startFakeSlackApi();
    const anthropic = await startFakeAnthropic({ script: () => reply.text('Back again.') });
    const cwd = mkdtempSync(path.join(tmpdir(), 'bot-workers-'));
    const port = await freePort();
    const env = { ...botProcessEnv({ slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url }, port, cwd, { bot: TEST_BOT_TOKEN, signing: TEST_SIGNING_SECRET, apiKey: FAKE_API_KEY }), WORKERS: '2' };
    const bot = startBotProcess(env, cwd);
    const healthOf = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: response.status, body: (await response.json()) as { ready: boolean; workers: WorkerHealth[] } };
    };
    try {
      await waitHealthy(port, bot);
      const before = await healthOf();
      const dead = before.body.workers[1]?.pid ?? 0;
      process.kill(dead, 'SIGKILL');
      const deadline = Date.now() + 60_000;
      let sawDown = false;
      let after = await healthOf();
      while (!(after.status === 200 && after.body.workers[1]?.pid !== dead) && Date.now() < deadline) {
        if (after.status === 503) sawDown = true;
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = await healthOf();
      }
      assert.ok(sawDown, 'not ready while the worker was away');
      assert.equal(after.status, 200, JSON.stringify(after.body));
      const reborn = after.body.workers[1]?.pid ?? 0;
      assert.notEqual(reborn, dead);
      assert.ok(alive(reborn));
      assert.match(bot.run.stderr, /"msg":"worker exited; starting it again".*"worker":1/);

      // A thread of the restarted worker is answered by it.
      let channel = '';
      let ts = '';
      for (let i = 0; channel === ''; i++) {
        const candidate = nextTs();
        if (workerOf(conversationHash(`T:C9R${i}:${candidate}`), 2) === 1) [channel, ts] = [`C9R${i}`, candidate];
      }
      const response = await postEvent(`http://127.0.0.1:${port}/slack/events`, appMention({ channel, user: 'U8', text: '<@U0FAKEBOT1> still there?', ts }), { signingSecret: TEST_SIGNING_SECRET });
      assert.equal(response.status, 200);
      await slack.waitUntil(() => slack.messages(channel, ts).some((m) => m.stream === 'stopped'), 60_000);
      assert.match(slack.messages(channel, ts).find((m) => m.stream === 'stopped')?.markdown_text ?? '', /Back again\./);

      bot.program.signal('SIGTERM');
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
      assert.equal(alive(reborn), false);
    } finally {
      bot.program.killGroup();
      await slack.close();
      await anthropic.close();
    }
  });

  it('in Socket Mode runs as one process, says so, and answers over its one connection', async () => {
    const slack = await startFakeSlackApi();
    const socket = await FakeSocketMode.start(slack);
    const anthropic = await startFakeAnthropic({ script: () => reply.text('One socket.') });
    const cwd = mkdtempSync(path.join(tmpdir(), 'bot-workers-'));
    const port = await freePort();
    const env = {
      ...botProcessEnv({ slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url }, port, cwd, { bot: TEST_BOT_TOKEN, signing: '', apiKey: FAKE_API_KEY }),
      SLACK_APP_TOKEN: TEST_APP_TOKEN,
      WORKERS: '2',
    };
    const bot = startBotProcess(env, cwd);
    try {
      const health = await waitHealthy(port, bot);
      assert.equal(health.ready, true);
      assert.ok(Array.isArray(health.servers) && !('workers' in health), "one bot's own /healthz, no primary");
      assert.match(bot.run.stderr, /"level":"warn","msg":"WORKERS is for HTTP mode; Socket Mode runs as one process","workers":2/);
      await socket.waitConnected();
      const ts = nextTs();
      socket.sendEvent(appMention({ channel: 'C9S', user: 'U8', text: '<@U0FAKEBOT1> hello', ts }));
      await slack.waitUntil(() => slack.messages('C9S', ts).some((m) => m.stream === 'stopped'), 60_000);
      assert.match(slack.messages('C9S', ts).find((m) => m.stream === 'stopped')?.markdown_text ?? '', /One socket\./);
      bot.program.signal('SIGTERM');
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
    } finally {
      bot.program.killGroup();
      await socket.close();
      await slack.close();
      await anthropic.close();
    }
  });
});
