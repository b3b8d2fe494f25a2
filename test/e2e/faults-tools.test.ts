// Faults of the MCP servers, through the real bot: a tool that hangs (MCP_CALL_TIMEOUT_MS=1000), a
// server that writes non-MCP lines on its stdout, and one that exits before its handshake. What the
// thread shows, what Claude is told, what /healthz says, and that the rest keeps working. Each
// test's thread opens with a good exchange that must still be in the history of its last question.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { answerTo, inOrder, startFaultBot, TECHNICAL, transcriptOf, type FaultBot } from '../helpers/fault-harness.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const toy = (...args: string[]) => ({ command: process.execPath, args: [path.resolve('test/fixtures/mcp/toy-server.mjs'), ...args] });

/** The tool_result blocks of a request's last message. */
function toolResults(request: MessagesRequest | undefined): Anthropic.ToolResultBlockParam[] {
  const content = request?.messages.at(-1)?.content;
  return Array.isArray(content) ? content.flatMap((b) => (b.type === 'tool_result' ? [b] : [])) : [];
}

const resultText = (result: Anthropic.ToolResultBlockParam | undefined) =>
  typeof result?.content === 'string' ? result.content : (result?.content ?? []).map((b) => (b.type === 'text' ? b.text : '')).join('\n');

describe('faults: MCP servers', () => {
  let bot: FaultBot;
  let dir: string;
  before(async () => {
    // The toy server does not annotate its tools, so by the spec's defaults they count as
    // destructive and would wait for a click; these tests are about failures, not approvals.
    dir = mkdtempSync(path.join(tmpdir(), 'faults-tools-'));
    const policy = path.join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ servers: { toy: { skipApproval: ['*'] }, noisy: { skipApproval: ['*'] } } }));
    bot = await startFaultBot({
      servers: {
        toy: toy(),
        noisy: toy('--noisy'),
        broken: { command: process.execPath, args: [path.resolve('test/fixtures/mcp/exits-at-start.mjs')] },
      },
      env: { MCP_CALL_TIMEOUT_MS: '1000', POLICY_CONFIG: policy },
    });
  });
  after(async () => {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a thread with a plain exchange; returns its root and first question. */
  async function open(channel: string): Promise<{ thread: string; first: string }> {
    const first = `q-${channel.toLowerCase()}-first`;
    const opened = await bot.ask({ channel, word: first });
    assert.match(opened.text, new RegExp(answerTo(first)));
    return { thread: opened.thread, first };
  }

  /** A later question's history still holds the opening exchange. */
  function keptOpening(first: string, later: string): void {
    const history = transcriptOf(bot.callsFor(later)[0]);
    assert.ok(inOrder(history, [first, answerTo(first), later]), JSON.stringify(history));
  }

  it('a tool that hangs: its task note shows it failed on the time limit, Claude is told, and the next call to that server works', async () => {
    const { thread, first } = await open('C7100');
    bot.plan('q-hang', [reply.tools([{ id: 'toolu_hang', name: 'toy__slow', input: { ms: 60_000 } }]), reply.text('The slow tool timed out, sorry.')]);
    const hung = await bot.ask({ channel: 'C7100', word: 'q-hang', thread });
    const task = hung.messages.flatMap((m) => m.tasks).find((t) => t.id === 'toolu_hang');
    assert.equal(task?.title, 'toy/slow');
    assert.equal(task?.status, 'error');
    assert.match(task?.output ?? '', /^failed in .*timed out after 1 s/);
    assert.match(hung.text, /The slow tool timed out, sorry\./);
    assert.doesNotMatch(hung.text, TECHNICAL);
    const told = toolResults(bot.callsFor('q-hang')[1])[0];
    assert.equal(told?.is_error, true, 'Claude gets the failure as an error result');
    assert.match(resultText(told), /the call to slow timed out after 1 s without a result from the "toy" server/);

    bot.plan('q-hang-next', [reply.tools([{ id: 'toolu_quick', name: 'toy__slow', input: { ms: 10 } }]), reply.text('This time it answered.')]);
    const next = await bot.ask({ channel: 'C7100', word: 'q-hang-next', thread });
    assert.equal(next.messages.flatMap((m) => m.tasks).find((t) => t.id === 'toolu_quick')?.status, 'complete');
    assert.equal(resultText(toolResults(bot.callsFor('q-hang-next')[1])[0]), 'done after 10 ms');
    assert.match(next.text, /This time it answered\./);
    keptOpening(first, 'q-hang-next');
    // The failed call and Claude's answer to it are part of the history too.
    assert.match(JSON.stringify(bot.callsFor('q-hang-next')[0]?.messages), /timed out after 1 s.*The slow tool timed out, sorry\./);
  });

  it('a server that writes garbage to stdout: its tools and the others work side by side, and /healthz names it', async () => {
    const { thread, first } = await open('C7200');
    bot.plan('q-noisy', [
      reply.tools([
        { id: 'toolu_noisy', name: 'noisy__pid', input: {} },
        { id: 'toolu_toy', name: 'toy__pid', input: {} },
      ]),
      reply.text('Both servers answered.'),
    ]);
    const asked = await bot.ask({ channel: 'C7200', word: 'q-noisy', thread });
    const tasks = asked.messages.flatMap((m) => m.tasks);
    assert.deepEqual(tasks.map((t) => [t.title, t.status]), [['noisy/pid', 'complete'], ['toy/pid', 'complete']]);
    const health = await bot.health();
    const pids = Object.fromEntries(health.servers.map((s) => [s.name, s.pid]));
    assert.deepEqual(toolResults(bot.callsFor('q-noisy')[1]).map(resultText), [String(pids.noisy), String(pids.toy)], 'each result is its own server\'s');
    const noisy = health.servers.find((s) => s.name === 'noisy');
    assert.equal(noisy?.state, 'up');
    assert.ok((noisy?.tools ?? 0) > 0);
    assert.ok(bot.h.logLines.some((l) => l.includes('mcp server wrote something that is not an MCP message') && l.includes('"server":"noisy"')), 'the garbage is logged against the server');
    assert.match(asked.text, /Both servers answered\./);

    await bot.ask({ channel: 'C7200', word: 'q-noisy-after', thread });
    keptOpening(first, 'q-noisy-after');
  });

  it('a server that exits at start: /healthz shows it failed (its last words only in the log), Claude never sees its tools, and the rest works', async () => {
    const health = await bot.health();
    assert.equal(health.ready, true);
    const broken = health.servers.find((s) => s.name === 'broken');
    assert.equal(broken?.state, 'failed');
    assert.equal(broken?.tools, 0);
    assert.equal(broken?.lastError, undefined, '/healthz has no authentication: states, not error text');
    assert.ok(bot.h.logLines.some((l) => l.includes('exited before completing the MCP handshake; it said: Error: TOY_API_KEY is not set')));
    assert.deepEqual(health.servers.filter((s) => s.name !== 'broken').map((s) => s.state), ['up', 'up']);

    const { thread, first } = await open('C7300');
    const offered = (bot.callsFor(first)[0]?.tools ?? []).map((t) => ('name' in t ? t.name : ''));
    assert.ok(offered.includes('toy__pid') && !offered.some((name) => name.startsWith('broken__')), offered.join());
    // Claude asks for it anyway (an old name, a guess): a failed task, and Claude is told.
    bot.plan('q-broken', [
      reply.tools([
        { id: 'toolu_broken', name: 'broken__pid', input: {} },
        { id: 'toolu_fine', name: 'toy__pid', input: {} },
      ]),
      reply.text('One of the two tools is not available.'),
    ]);
    const asked = await bot.ask({ channel: 'C7300', word: 'q-broken', thread });
    const tasks = Object.fromEntries(asked.messages.flatMap((m) => m.tasks).map((t) => [t.id, t.status]));
    assert.deepEqual(tasks, { toolu_broken: 'error', toolu_fine: 'complete' });
    const [missing, fine] = toolResults(bot.callsFor('q-broken')[1]);
    assert.equal(missing?.is_error, true);
    assert.match(resultText(missing), /There is no tool named "broken__pid"/);
    assert.equal(fine?.is_error, undefined);
    assert.match(asked.text, /One of the two tools is not available\./);

    await bot.ask({ channel: 'C7300', word: 'q-broken-after', thread });
    keptOpening(first, 'q-broken-after');
  });

  it('sent nothing the Messages API would refuse', () => {
    assert.deepEqual(bot.h.anthropic.rejections, []);
  });
});
