// The policy over the real hub: server-everything and server-filesystem from npm, the agent against
// the fake Anthropic API. A denied tool never reaches Claude's request; a filesystem write (marked
// destructive by its server) waits for approval and runs only once approved.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { isValid } from '../../src/agent/transcript.js';
import { McpHub } from '../../src/mcp/hub.js';
import { needsApproval } from '../../src/policy/access.js';
import type { ApprovalDecision, ApprovalRequest, Approver } from '../../src/policy/approval.js';
import { parsePolicyFile } from '../../src/policy/policy-file.js';
import { policyTurnOptions } from '../../src/policy/turn.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { agentFor, lastBlocks, recordingSink } from '../fakes/anthropic-harness.js';
import { everything, filesystem, recordingLogger } from '../fixtures/mcp/test-helpers.js';

const context = { userId: 'U01', channel: 'C01', isDirect: false };

function approverThat(decision: ApprovalDecision) {
  const requests: ApprovalRequest[] = [];
  const approver: Approver = {
    request(request) {
      requests.push(request);
      return Promise.resolve(decision);
    },
  };
  return { approver, requests };
}

const resultsOf = (request: Parameters<typeof lastBlocks>[0]) => lastBlocks(request) as Anthropic.ToolResultBlockParam[];
const textOf = (block: Anthropic.ToolResultBlockParam | undefined) =>
  Array.isArray(block?.content) ? block.content.map((b) => (b.type === 'text' ? b.text : `<${b.type}>`)).join('\n') : String(block?.content);

describe('the policy over McpHub with server-everything and server-filesystem', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'policy-hub-'));
  let hub: McpHub;
  let fake: FakeAnthropic;
  const policy = parsePolicyFile(JSON.stringify({ servers: { everything: { denyTools: ['get-env'] } } }), {
    file: 'policy.json',
    knownServers: ['everything', 'filesystem'],
  });

  before(async () => {
    fake = await startFakeAnthropic();
    hub = await McpHub.start([everything(), filesystem(dir)], { logger: recordingLogger([]) });
  });
  after(async () => {
    await hub.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    assert.deepEqual(fake.rejections, [], 'every request the fake received was valid');
    fake.calls.length = 0;
  });

  it('reads the servers\' own annotations: writes need approval, reads do not', () => {
    const byName = new Map(hub.listTools().map((t) => [t.name, t]));
    const tool = (name: string) => {
      const found = byName.get(name);
      assert.ok(found, name);
      return found;
    };
    assert.equal(needsApproval(policy, tool('filesystem__write_file')), true);
    assert.equal(needsApproval(policy, tool('filesystem__read_text_file')), false);
    assert.equal(needsApproval(policy, tool('everything__echo')), false);
  });

  it('never offers everything__get-env to Claude, and a call to it does not run', async () => {
    const { approver } = approverThat({ decision: 'approved' });
    fake.script([fake.reply.tools([{ id: 'toolu_env', name: 'everything__get-env' }, { id: 'toolu_echo', name: 'everything__echo', input: { message: 'hi' } }]), fake.reply.text('Done.')]);
    const sink = recordingSink();
    const result = await agentFor(fake, hub).runTurn({ history: [], userText: 'show env', sink, ...policyTurnOptions(hub, policy, context, { approver }) });

    assert.equal(result.status, 'done');
    const offered = (fake.calls[0]?.tools ?? []).map((t) => (t as Anthropic.Tool).name);
    assert.ok(offered.includes('everything__echo'));
    assert.ok(offered.includes('filesystem__write_file'));
    assert.ok(!offered.includes('everything__get-env'), 'denied: not in the request');
    assert.ok(hub.listTools().some((t) => t.name === 'everything__get-env'), 'the hub itself still has it');
    for (const call of fake.calls) assert.ok(!JSON.stringify(call.tools).includes('get-env'));

    const [env, echo] = resultsOf(fake.calls[1]);
    assert.equal(env?.is_error, true);
    assert.match(textOf(env), /There is no tool named "everything__get-env"/);
    assert.equal(textOf(echo), 'Echo: hi');
  });

  it('writes a file only once the write is approved', async () => {
    const file = path.join(dir, 'approved.txt');
    const { approver, requests } = approverThat({ decision: 'approved', by: 'U01' });
    fake.script([fake.reply.tools([{ id: 'toolu_w', name: 'filesystem__write_file', input: { path: file, content: 'approved\n' } }]), fake.reply.text('Written.')]);
    await agentFor(fake, hub).runTurn({ history: [], userText: 'write it', sink: recordingSink(), ...policyTurnOptions(hub, policy, context, { approver }) });

    assert.deepEqual(requests.map((r) => [r.server, r.tool, r.annotations?.destructiveHint]), [['filesystem', 'write_file', true]]);
    assert.equal(readFileSync(file, 'utf8'), 'approved\n');
    const [written] = resultsOf(fake.calls[1]);
    assert.equal(written?.is_error, undefined);
  });

  it('does not write when the write is denied, and Claude hears it as an error', async () => {
    const file = path.join(dir, 'denied.txt');
    const { approver } = approverThat({ decision: 'denied', by: 'U01' });
    fake.script([fake.reply.tools([{ id: 'toolu_w', name: 'filesystem__write_file', input: { path: file, content: 'no\n' } }]), fake.reply.text('Not written.')]);
    const result = await agentFor(fake, hub).runTurn({ history: [], userText: 'write it', sink: recordingSink(), ...policyTurnOptions(hub, policy, context, { approver }) });

    assert.equal(existsSync(file), false);
    const [denied] = resultsOf(fake.calls[1]);
    assert.equal(denied?.is_error, true);
    assert.match(textOf(denied), /^The user denied this call/);
    assert.ok(isValid(result.messages));
  });
});
