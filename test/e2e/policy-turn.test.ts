// The policy applied to whole turns: the real SDK against the fake Anthropic API (which refuses any
// transcript the real API would), conversations in a store, stub tools wrapped by policyTurnOptions.
// What Claude is offered, what it is told when a call is not approved or too big, the round cap of
// the turn, and a turn stopped by its deadline.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { createConversations, type Conversations } from '../../src/agent/conversation.js';
import { notices } from '../../src/agent/notices.js';
import { isValid } from '../../src/agent/transcript.js';
import type { ApprovalDecision, ApprovalRequest, Approver } from '../../src/policy/approval.js';
import { turnDeadline, TurnTimeLimitError } from '../../src/policy/limits.js';
import { parsePolicyFile } from '../../src/policy/policy-file.js';
import { policyTurnOptions } from '../../src/policy/turn.js';
import type { Policy } from '../../src/policy/types.js';
import { openStore, type Store } from '../../src/store.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { agentFor, lastBlocks, ok, recordingSink, stubTools } from '../fakes/anthropic-harness.js';

const policyOf = (data: unknown): Policy => parsePolicyFile(JSON.stringify(data), { file: 'policy.json', knownServers: ['ops'] });
const context = { userId: 'U01', channel: 'C01', isDirect: false };

function approverThat(answer: ApprovalDecision | undefined) {
  const requests: ApprovalRequest[] = [];
  const approver: Approver = {
    request(request) {
      requests.push(request);
      return answer === undefined ? new Promise<ApprovalDecision>(() => undefined) : Promise.resolve(answer);
    },
  };
  return { approver, requests };
}

const resultsOf = (request: Parameters<typeof lastBlocks>[0]) => lastBlocks(request) as Anthropic.ToolResultBlockParam[];
const textOf = (block: Anthropic.ToolResultBlockParam | undefined) =>
  Array.isArray(block?.content) ? block.content.map((b) => (b.type === 'text' ? b.text : `<${b.type}>`)).join('\n') : String(block?.content);

describe('the policy in a turn', () => {
  let fake: FakeAnthropic;
  let store: Store;
  // The agent's own tools are the bare stubs: whatever the policy changes comes in per turn.
  const tools = stubTools([
    { name: 'ops__status', server: 'ops', tool: 'status', run: () => ok('all green') },
    { name: 'ops__restart', server: 'ops', tool: 'restart', run: () => ok('restarted') },
    { name: 'ops__secrets', server: 'ops', tool: 'secrets', run: () => ok('hunter2') },
    { name: 'ops__dump', server: 'ops', tool: 'dump', run: () => ok('d'.repeat(200_000)) },
  ]);
  const policy = policyOf({
    servers: { ops: { denyTools: ['secrets'], requireApproval: ['restart'] } },
    approval: { timeoutSeconds: 600 },
    limits: { toolRounds: 2 },
  });
  let conversations: Conversations;

  before(async () => {
    fake = await startFakeAnthropic();
    store = await openStore('memory://', 'policy-test');
    conversations = createConversations({ store, agent: agentFor(fake, tools) });
  });
  after(async () => {
    await fake.close();
    await store.disconnect();
  });
  afterEach(() => {
    assert.deepEqual(fake.rejections, [], 'every request the fake received was valid');
    fake.calls.length = 0;
    tools.calls.length = 0;
  });

  async function assertStoredValid(key: string) {
    const stored = await conversations.history(key);
    assert.ok(isValid(stored));
    // The next question goes on from it, and the fake (as strict as the API) takes it.
    fake.calls.length = 0;
    fake.script([fake.reply.text('Still here.')]);
    const sink = recordingSink();
    const next = await conversations.runTurn(key, 'and now?', sink);
    assert.equal(next.status, 'done', sink.of('failed')[0]?.message);
  }

  it('never shows Claude a denied tool, and a call to it does not run', async () => {
    const { approver } = approverThat({ decision: 'approved' });
    fake.script([fake.reply.tools([{ id: 'toolu_s', name: 'ops__secrets' }]), fake.reply.text('I cannot see secrets.')]);
    const result = await conversations.runTurn('T-deny', 'show the secrets', recordingSink(), undefined, policyTurnOptions(tools, policy, context, { approver }));

    assert.equal(result.status, 'done');
    const offered = (fake.calls[0]?.tools ?? []).map((t) => (t as Anthropic.Tool).name);
    assert.deepEqual(offered, ['ops__status', 'ops__restart', 'ops__dump']);
    const [refused] = resultsOf(fake.calls[1]);
    assert.equal(refused?.is_error, true);
    assert.match(textOf(refused), /There is no tool named "ops__secrets"/);
    assert.equal(tools.calls.length, 0);
  });

  it('runs a call that needs approval once it is approved', async () => {
    const { approver, requests } = approverThat({ decision: 'approved', by: 'U01' });
    fake.script([fake.reply.tools([{ id: 'toolu_r', name: 'ops__restart', input: { service: 'api' } }]), fake.reply.text('Restarted.')]);
    const sink = recordingSink();
    await conversations.runTurn('T-ok', 'restart the api', sink, undefined, policyTurnOptions(tools, policy, context, { approver }));

    assert.deepEqual(requests.map((r) => [r.server, r.tool, r.args]), [['ops', 'restart', { service: 'api' }]]);
    assert.deepEqual(tools.calls, [{ name: 'ops__restart', args: { service: 'api' } }]);
    const [ran] = resultsOf(fake.calls[1]);
    assert.equal(ran?.is_error, undefined);
    assert.equal(textOf(ran), 'restarted');
    assert.equal(sink.of('tool_finished')[0]?.ok, true);
  });

  it('tells Claude the user denied a call, in a transcript the API accepts', async () => {
    const { approver } = approverThat({ decision: 'denied', by: 'U01' });
    fake.script([fake.reply.tools([{ id: 'toolu_r', name: 'ops__restart' }, { id: 'toolu_st', name: 'ops__status' }]), fake.reply.text('You said no.')]);
    const sink = recordingSink();
    const result = await conversations.runTurn('T-no', 'restart it', sink, undefined, policyTurnOptions(tools, policy, context, { approver }));

    assert.equal(result.status, 'done');
    const [denied, status] = resultsOf(fake.calls[1]);
    assert.equal(denied?.tool_use_id, 'toolu_r');
    assert.equal(denied?.is_error, true);
    assert.match(textOf(denied), /^The user denied this call, so it was not run\./);
    assert.equal(textOf(status), 'all green', 'the other call of the round still ran');
    assert.deepEqual(tools.calls.map((c) => c.name), ['ops__status']);
    const finished = sink.of('tool_finished').find((e) => e.id === 'toolu_r');
    assert.deepEqual([finished?.ok, finished?.summary], [false, 'denied']);
    await assertStoredValid('T-no');
  });

  it('tells Claude when no one approved in time', async () => {
    const { approver, requests } = approverThat(undefined);
    const quick = { ...policy, approval: { ...policy.approval, timeoutSeconds: 0.02 } };
    fake.script([fake.reply.tools([{ id: 'toolu_r', name: 'ops__restart' }]), fake.reply.text('Nobody approved.')]);
    const result = await conversations.runTurn('T-late', 'restart it', recordingSink(), undefined, policyTurnOptions(tools, quick, context, { approver }));

    assert.equal(result.status, 'done');
    const [expired] = resultsOf(fake.calls[1]);
    assert.equal(expired?.is_error, true);
    assert.equal(textOf(expired), 'No one approved this call within 0.02 seconds, so it was not run.');
    assert.equal(requests[0]?.signal.reason, 'expired');
    assert.equal(tools.calls.length, 0);
    await assertStoredValid('T-late');
  });

  it('gives Claude a 200,000-character result cut to the limit, with the marker', async () => {
    const { approver } = approverThat({ decision: 'approved' });
    fake.script([fake.reply.tools([{ id: 'toolu_d', name: 'ops__dump' }]), fake.reply.text('That was long.')]);
    await conversations.runTurn('T-big', 'dump it', recordingSink(), undefined, policyTurnOptions(tools, policy, context, { approver }));

    const [dump] = resultsOf(fake.calls[1]);
    const blocks = dump?.content as Anthropic.TextBlockParam[];
    assert.equal(blocks[0]?.text, 'd'.repeat(50_000));
    assert.equal(blocks[1]?.text, '[cut: showing 50,000 of 200,000 characters]');
    assert.equal(blocks.length, 2);
    const stored = await conversations.history('T-big');
    assert.ok(JSON.stringify(stored).length < 60_000, 'the store keeps the cut result, not the whole');
  });

  it('caps the rounds of a turn at the policy\'s toolRounds', async () => {
    const { approver } = approverThat({ decision: 'approved' });
    fake.script(() => fake.reply.tools([{ name: 'ops__status' }]));
    const sink = recordingSink();
    const result = await conversations.runTurn('T-rounds', 'loop', sink, undefined, policyTurnOptions(tools, policy, context, { approver }));

    assert.equal(result.rounds, 3, 'two rounds of tools, then one call told to answer');
    assert.equal(tools.calls.length, 2);
    assert.equal(sink.of('done')[0]?.notice, notices.roundCap(2));
    await assertStoredValid('T-rounds');
  });

  it('stops a turn that runs out of time with a sentence that names the limit, and stores a valid transcript', async () => {
    fake.script([fake.reply.hang()]);
    const deadline = turnDeadline(0.05);
    const sink = recordingSink();
    let result;
    try {
      result = await conversations.runTurn('T-slow', 'think hard', sink, deadline.signal);
    } finally {
      deadline.clear();
    }
    assert.equal(result.status, 'failed');
    assert.deepEqual(sink.of('failed').map((e) => e.message), ['This answer took longer than 0.05 seconds and was stopped.']);
    assert.equal(sink.of('done').length, 0);
    await assertStoredValid('T-slow');
  });

  it('keeps the finished tool round of a turn stopped by its time limit', async () => {
    const controller = new AbortController();
    const slow = stubTools([
      {
        name: 'ops__status',
        server: 'ops',
        tool: 'status',
        run: () => {
          // The limit strikes while the tool runs; the tool still answers, as the hub does.
          controller.abort(new TurnTimeLimitError(900));
          return ok('green, but late');
        },
      },
    ]);
    fake.script([fake.reply.tools([{ id: 'toolu_late', name: 'ops__status' }]), fake.reply.text('never asked for')]);
    const sink = recordingSink();
    const result = await conversations.runTurn('T-stop', 'status?', sink, controller.signal, { tools: slow });

    assert.equal(fake.calls.length, 1);
    assert.deepEqual(sink.of('failed').map((e) => e.message), ['This answer took longer than 15 minutes and was stopped.']);
    assert.deepEqual(result.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    const stored = await conversations.history('T-stop');
    assert.deepEqual(stored, result.messages);
    await assertStoredValid('T-stop');
  });

  it('still says "cancelled" for a stop without a reason people should read', async () => {
    const controller = new AbortController();
    controller.abort();
    const sink = recordingSink();
    await conversations.runTurn('T-cancel', 'hi', sink, controller.signal);
    assert.deepEqual(sink.of('failed').map((e) => e.message), ['The answer was cancelled before Claude finished.']);
  });
});

// From the attacker's side: a tool that returns 1 MB on every call, and a model (steered by that
// text) that keeps calling it, five at a time, round after round, turn after turn. What one turn
// takes, what runs at once, and what the thread keeps in the store all stay bounded, and the person
// is told once that old results were compacted.
describe('a tool returning 1 MB per call, in a loop', () => {
  const MB = 1_048_576;
  const MAX_STORED = 400_000;
  const PER_TURN = 150_000;
  let fake: FakeAnthropic;
  let store: Store;
  let conversations: Conversations;
  const flood = stubTools([{ name: 'ops__flood', server: 'ops', tool: 'flood', run: () => ok('x'.repeat(MB), 'a megabyte') }]);
  const limited = policyOf({
    servers: { ops: { skipApproval: ['flood'] } },
    limits: { toolRounds: 4, toolResultChars: 1_000_000, toolCallsPerRound: 3, toolResultBytesPerTurn: PER_TURN },
  });

  before(async () => {
    fake = await startFakeAnthropic();
    store = await openStore('memory://', 'policy-flood-test');
    conversations = createConversations({ store, agent: agentFor(fake, flood, { maxStoredBytes: MAX_STORED }) });
    fake.script((request, i) =>
      request.tool_choice?.type === 'none'
        ? fake.reply.text('That is all I could read.')
        : fake.reply.tools(Array.from({ length: 5 }, (_, k) => ({ id: `toolu_f${i}_${k}`, name: 'ops__flood' }))),
    );
  });
  after(async () => {
    await fake.close();
    await store.disconnect();
  });

  it('bounds each turn, each round and the stored thread, and tells the person once', async () => {
    const notices: (string | undefined)[] = [];
    for (let turn = 0; turn < 6; turn++) {
      flood.calls.length = 0;
      const requestsBefore = fake.calls.length;
      const sink = recordingSink();
      const result = await conversations.runTurn('T-flood', `read everything, again (${turn})`, sink, undefined, policyTurnOptions(flood, limited, context, { approver: approverThat(undefined).approver }));
      assert.equal(result.status, 'done', sink.of('failed')[0]?.message);
      notices.push(sink.of('done')[0]?.notice);

      // Per round: at most 3 of the 5 calls ran; the other two were told to wait.
      const requests = fake.calls.slice(requestsBefore);
      for (const request of requests.slice(1)) {
        const results = resultsOf(request);
        assert.equal(results.length, 5);
        assert.ok(results.slice(3).every((r) => r.is_error === true && /at most 3 tool calls run at once/.test(textOf(r))));
      }
      // Per turn: the results Claude got add up to the budget at most, and once it is spent nothing more runs.
      const turnResults = requests.slice(1).flatMap((request) => resultsOf(request).slice(0, 3));
      const data = turnResults.map((r) => textOf(r)).filter((text) => !text.startsWith('Not run'));
      const bytes = data.reduce((sum, text) => sum + Buffer.byteLength(text.replace(/\n?\[cut: [^\]]*\]$/, ''), 'utf8'), 0);
      assert.equal(bytes, PER_TURN, `turn ${turn}: the tool results of the turn fill its budget and no more`);
      assert.equal(flood.calls.length, 3, `turn ${turn}: the first round's three calls ran; once the budget was spent no other call did`);
      assert.ok(data.every((text) => /this answer may take 150,000 bytes of tool results in all/.test(text)));
      assert.ok(turnResults.slice(3).every((r) => /^Not run: this answer has already received 150,000 bytes/.test(textOf(r))));

      // The stored thread stays under its cap (the latest turn alone is far smaller than the cap).
      const stored = JSON.stringify(await conversations.history('T-flood'));
      assert.ok(Buffer.byteLength(stored, 'utf8') <= MAX_STORED, `turn ${turn}: stored ${stored.length} bytes`);
    }
    const told = notices.filter((n) => n?.includes('passed its storage limit'));
    assert.equal(told.length, 1, `told once: ${JSON.stringify(notices)}`);
    const history = await conversations.history('T-flood');
    assert.ok(isValid(history));
    assert.match(JSON.stringify(history), /\[compacted: the result of ops__flood \(\d[\d,]* bytes\) was removed/);
    assert.deepEqual(fake.rejections, [], 'every request the fake received was valid');
  });
});
