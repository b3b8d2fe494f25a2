// `npm start` (node dist/main.js) with monitoring set the way an operator sets it: /metrics on a
// port of its own (METRICS_PORT) and traces sent to a collector (OTEL_EXPORTER_OTLP_ENDPOINT; here
// a small HTTP server that records what the OTLP/HTTP exporter posts to /v1/traces). The spans of
// the answer under way reach the collector by the time the process has stopped. With WORKERS=2,
// each worker serves its own metrics on METRICS_PORT + its index: a scrape config lists both.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { conversationHash, workerOf } from '../../src/process/shard.js';
import { FAKE_API_KEY, reply, startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeSlackApi } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { botProcessEnv, freePort, startBotProcess, waitHealthy } from '../helpers/bot-process.js';
import { sample, scrapeUntil } from '../helpers/metrics-text.js';
import { appMention, nextTs, postEvent } from '../helpers/sign.js';

strictSlack();

/** Records the bodies posted to it, as an OTLP/HTTP collector would receive them. */
async function startCollector(): Promise<{ url: string; posts: Array<{ path: string; body: string }>; close(): Promise<void> }> {
  const posts: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The fakes and `npm start` with no MCP servers, the model answering `answer`, and `env` added. */
async function startMonitoredBot(answer: string, env: Record<string, string>) {
  const slack = await startFakeSlackApi();
  const anthropic = await startFakeAnthropic({ script: () => reply.text(answer) });
  const cwd = mkdtempSync(path.join(tmpdir(), 'bot-proc-'));
  writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: {} }));
  const port = await freePort();
  const base = botProcessEnv({ slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url }, port, cwd, { bot: TEST_BOT_TOKEN, signing: TEST_SIGNING_SECRET, apiKey: FAKE_API_KEY });
  return { slack, anthropic, port, bot: startBotProcess({ ...base, ...env }, cwd) };
}

/** A free port whose next port is free too (METRICS_PORT and METRICS_PORT + 1 for two workers). */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const next = createTcpServer();
    const free = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => next.close(resolve));
      return port;
    }
  }
}

describe('npm start with monitoring', () => {
  it('serves /metrics on METRICS_PORT and sends the traces to the OTLP endpoint', async () => {
    const collector = await startCollector();
    const metricsPort = await freePort();
    const { slack, anthropic, port, bot } = await startMonitoredBot('Traced answer.', { METRICS_PORT: String(metricsPort), OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    try {
      await waitHealthy(port, bot);
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404, 'not on the Slack port');
      const ts = nextTs();
      const response = await postEvent(`http://127.0.0.1:${port}/slack/events`, appMention({ channel: 'C900', user: 'U9', text: '<@U0FAKEBOT1> hi', ts }), {
        signingSecret: TEST_SIGNING_SECRET,
      });
      assert.equal(response.status, 200);
      const text = await scrapeUntil(`http://127.0.0.1:${metricsPort}/metrics`, (body) => sample(body, 'slackbot_questions_total', { outcome: 'answered' }) === 1, 60_000);
      assert.equal(sample(text, 'slackbot_questions_total', { outcome: 'accepted' }), 1);

      bot.program.signal('SIGTERM');
      await bot.program.waitExit();
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
      const traces = collector.posts.filter((post) => post.path === '/v1/traces').map((post) => post.body).join('\n');
      assert.match(traces, /invoke_agent slack-mcp-claude-bot/);
      assert.match(traces, /"chat [^"]+"/);
      assert.match(traces, /slack chat\.startStream/);
      assert.match(traces, /slack-mcp-claude-bot/, 'the service name');
      // The log lines of the turn carry its trace id.
      assert.match(run.stderr, /"msg":"turn started".*"trace_id":"[0-9a-f]{32}"/);
    } finally {
      bot.program.killGroup();
      await Promise.all([slack.close(), anthropic.close(), collector.close()]);
    }
  });
});

describe('npm start with WORKERS=2 and METRICS_PORT', () => {
  it("serves each worker's own metrics on METRICS_PORT + the worker's index", async () => {
    const metricsPort = await twoFreePorts();
    const { slack, anthropic, port, bot } = await startMonitoredBot('Counted.', { METRICS_PORT: String(metricsPort), WORKERS: '2' });
    try {
      await waitHealthy(port, bot);
      // One thread of worker 1 and two of worker 0 (a thread's worker: src/process/shard.ts).
      const threads: Array<{ channel: string; ts: string }> = [];
      const wanted = [0, 0, 1];
      for (let i = 0; wanted.length > 0; i++) {
        const ts = nextTs();
        const index = wanted.indexOf(workerOf(conversationHash(`T:C9M${i}:${ts}`), 2));
        if (index === -1) continue;
        wanted.splice(index, 1);
        threads.push({ channel: `C9M${i}`, ts });
      }
      for (const { channel, ts } of threads) {
        const response = await postEvent(`http://127.0.0.1:${port}/slack/events`, appMention({ channel, user: 'U9', text: '<@U0FAKEBOT1> count me', ts }), { signingSecret: TEST_SIGNING_SECRET });
        assert.equal(response.status, 200);
      }
      const answered = (text: string) => sample(text, 'slackbot_questions_total', { outcome: 'answered' });
      await scrapeUntil(`http://127.0.0.1:${metricsPort}/metrics`, (text) => answered(text) === 2, 60_000);
      await scrapeUntil(`http://127.0.0.1:${metricsPort + 1}/metrics`, (text) => answered(text) === 1, 60_000);

      bot.program.signal('SIGTERM');
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
    } finally {
      bot.program.killGroup();
      await Promise.all([slack.close(), anthropic.close()]);
    }
  });
});
