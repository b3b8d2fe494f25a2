// The tool provider wrappers around a stub provider: the filter (not offered, not callable), the
// approval gate (approved runs, everything else does not and says why), the result cap, and the
// three composed as a turn uses them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ToolResultContent } from '../../src/agent/content.js';
import type { LogFields, Logger } from '../../src/log.js';
import type { ToolCallOptions, ToolCallResult, ToolDefinition, ToolProvider } from '../../src/mcp/types.js';
import { approvalGate, type ApprovalDecision, type ApprovalRequest, type Approver } from '../../src/policy/approval.js';
import { capContent, cappedResults } from '../../src/policy/cap.js';
import { parsePolicyFile } from '../../src/policy/policy-file.js';
import { filteredTools } from '../../src/policy/tools.js';
import { policyTools, policyTurnOptions } from '../../src/policy/turn.js';

interface Stub extends ToolProvider {
  calls: { name: string; args: Record<string, unknown>; options?: ToolCallOptions }[];
}

function definition(server: string, tool: string, annotations?: ToolDefinition['annotations']): ToolDefinition {
  return { name: `${server}__${tool}`, description: `the ${tool} tool`, input_schema: { type: 'object' }, server, tool, ...(annotations ? { annotations } : {}) };
}

/** Three tools: a read-only one, a destructive one, and one whose result the test sets. */
function stub(result: (name: string) => ToolCallResult = (name) => ({ content: [{ type: 'text', text: `ran ${name}` }], isError: false, summary: `ran ${name}` })): Stub {
  const calls: Stub['calls'] = [];
  const tools = [
    definition('files', 'read_file', { readOnlyHint: true }),
    definition('files', 'delete_file', { readOnlyHint: false, destructiveHint: true }),
    definition('env', 'get-env', { readOnlyHint: true }),
  ];
  return {
    calls,
    listTools: () => tools,
    async callTool(name, args, options) {
      calls.push({ name, args, ...(options ? { options } : {}) });
      return result(name);
    },
  };
}

const textOf = (result: ToolCallResult) => result.content.map((b) => (b.type === 'text' ? b.text : `<${b.type}>`)).join('\n');

/** An approver that records its requests and answers with `answer` (or never, when it returns undefined). */
function approverThat(answer: (request: ApprovalRequest) => ApprovalDecision | undefined | Promise<ApprovalDecision>) {
  const requests: ApprovalRequest[] = [];
  const approver: Approver = {
    request(request) {
      requests.push(request);
      const decision = answer(request);
      return decision === undefined ? new Promise<ApprovalDecision>(() => undefined) : Promise.resolve(decision);
    },
  };
  return { approver, requests };
}

function recordingLogger(lines: { msg: string; fields: LogFields }[]): Logger {
  const at = (msg: string, fields: LogFields = {}) => void lines.push({ msg, fields });
  const logger: Logger = { debug: at, info: at, warn: at, error: at, child: () => logger };
  return logger;
}

const context = { userId: 'U01', channel: 'C01', isDirect: false, conversationKey: 'T:C01:1.0' };
const destructiveOnly = (tool: ToolDefinition) => tool.annotations?.destructiveHint === true;

describe('filteredTools', () => {
  it('leaves a tool that is not allowed out of the catalog, and refuses a call to it without reaching the inner provider', async () => {
    const inner = stub();
    const tools = filteredTools(inner, (tool) => tool.tool !== 'get-env');
    assert.deepEqual(tools.listTools().map((t) => t.name), ['files__read_file', 'files__delete_file']);

    const refused = await tools.callTool('env__get-env', {});
    assert.deepEqual(refused, { content: [{ type: 'text', text: 'The tool env__get-env is not available here.' }], isError: true, summary: 'not available here' });
    const unknown = await tools.callTool('nope__nothing', {});
    assert.equal(unknown.isError, true);
    assert.equal(inner.calls.length, 0);

    const signal = new AbortController().signal;
    const ran = await tools.callTool('files__read_file', { path: '/a' }, { signal });
    assert.equal(textOf(ran), 'ran files__read_file');
    assert.deepEqual(inner.calls, [{ name: 'files__read_file', args: { path: '/a' }, options: { signal } }]);
  });

  it('follows the inner catalog as it changes', () => {
    const inner = stub();
    let hidden = 'get-env';
    const tools = filteredTools(inner, (tool) => tool.tool !== hidden);
    assert.equal(tools.listTools().length, 2);
    hidden = 'nothing';
    assert.equal(tools.listTools().length, 3);
  });
});

describe('approvalGate', () => {
  it('runs a call that needs no approval at once, without asking', async () => {
    const inner = stub();
    const { approver, requests } = approverThat(() => ({ decision: 'denied' }));
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 60_000 });
    assert.deepEqual(tools.listTools(), inner.listTools());
    const result = await tools.callTool('files__read_file', { path: '/a' });
    assert.equal(result.isError, false);
    assert.equal(requests.length, 0);
    assert.equal(inner.calls.length, 1);
  });

  it('asks with everything the approver needs, and runs the call once approved', async () => {
    const inner = stub();
    const log: { msg: string; fields: LogFields }[] = [];
    const { approver, requests } = approverThat(() => ({ decision: 'approved', by: 'U09' }));
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 60_000, logger: recordingLogger(log) });
    const options = { toolUseId: 'toolu_1', timeoutMs: 5000 };
    const result = await tools.callTool('files__delete_file', { path: '/tmp/x' }, options);

    assert.deepEqual(result, { content: [{ type: 'text', text: 'ran files__delete_file' }], isError: false, summary: 'ran files__delete_file' });
    assert.deepEqual(inner.calls.map((c) => [c.name, c.args, c.options]), [['files__delete_file', { path: '/tmp/x' }, options]]);
    const request = requests[0];
    assert.ok(request);
    assert.deepEqual(
      { ...request, signal: undefined },
      {
        name: 'files__delete_file',
        server: 'files',
        tool: 'delete_file',
        description: 'the delete_file tool',
        annotations: { readOnlyHint: false, destructiveHint: true },
        args: { path: '/tmp/x' },
        toolUseId: 'toolu_1',
        context,
        timeoutMs: 60_000,
        signal: undefined,
      },
    );
    assert.equal(request.signal.aborted, false, 'the approver answered: nothing to take down');
    assert.deepEqual(log, [{ msg: 'tool call approved', fields: { server: 'files', tool: 'delete_file', user: 'U01', channel: 'C01', by: 'U09' } }]);
  });

  it('tells Claude the user denied the call, and does not run it', async () => {
    const inner = stub();
    const log: { msg: string; fields: LogFields }[] = [];
    const { approver } = approverThat(() => ({ decision: 'denied', by: 'U01' }));
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 60_000, logger: recordingLogger(log) });
    const result = await tools.callTool('files__delete_file', {});
    assert.equal(result.isError, true);
    assert.equal(result.summary, 'denied');
    assert.match(textOf(result), /^The user denied this call, so it was not run\./);
    assert.equal(inner.calls.length, 0);
    assert.deepEqual(log[0], { msg: 'tool call not approved', fields: { server: 'files', tool: 'delete_file', user: 'U01', channel: 'C01', decision: 'denied', by: 'U01' } });
  });

  it('tells Claude no one approved in time, when the approver says so', async () => {
    const inner = stub();
    const { approver } = approverThat(() => ({ decision: 'expired' }));
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 600_000 });
    const result = await tools.callTool('files__delete_file', {});
    assert.equal(textOf(result), 'No one approved this call within 10 minutes, so it was not run.');
    assert.equal(result.summary, 'not approved within 10 minutes');
    assert.equal(result.isError, true);
    assert.equal(inner.calls.length, 0);
  });

  it('expires a request no one answers, and tells the approver to take it down', async () => {
    const inner = stub();
    const { approver, requests } = approverThat(() => undefined);
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 20 });
    const result = await tools.callTool('files__delete_file', {});
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^No one approved this call within 0\.02 seconds, so it was not run\.$/);
    assert.equal(requests[0]?.signal.aborted, true);
    assert.equal(requests[0]?.signal.reason, 'expired');
    assert.equal(inner.calls.length, 0);
  });

  it('stops waiting when the turn is stopped, and does not ask at all for a stopped turn', async () => {
    const inner = stub();
    const controller = new AbortController();
    const { approver, requests } = approverThat(() => {
      controller.abort();
      return undefined;
    });
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 600_000 });
    const result = await tools.callTool('files__delete_file', {}, { signal: controller.signal });
    assert.equal(result.isError, true);
    assert.equal(result.summary, 'cancelled');
    assert.match(textOf(result), /stopped while this call waited for approval; it was not run/);
    assert.equal(requests[0]?.signal.reason, 'cancelled');

    const again = await tools.callTool('files__delete_file', {}, { signal: controller.signal });
    assert.equal(again.summary, 'cancelled');
    assert.equal(requests.length, 1);
    assert.equal(inner.calls.length, 0);
  });

  it('does not run the call when asking fails or the answer is not a decision, and says so', async () => {
    const inner = stub();
    const rejecting: Approver = { request: () => Promise.reject(new Error('channel_not_found')) };
    const throwing: Approver = {
      request: () => {
        throw new Error('no thread');
      },
    };
    // A broken approver (a typo, a missing return) must not let a call through.
    const garbled = { request: () => Promise.resolve({ decision: 'APPROVED' }) } as unknown as Approver;
    const empty = { request: () => Promise.resolve(undefined) } as unknown as Approver;
    for (const [approver, reason] of [
      [rejecting, 'channel_not_found'],
      [throwing, 'no thread'],
      [garbled, 'the approver gave no decision'],
      [empty, 'the approver gave no decision'],
    ] as const) {
      const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 60_000 });
      const result = await tools.callTool('files__delete_file', {});
      assert.equal(result.isError, true);
      assert.equal(textOf(result), `This call needs a person's approval, but asking for it failed (${reason}); it was not run.`);
    }
    assert.equal(inner.calls.length, 0);
  });

  it('asks once per call when calls run side by side', async () => {
    const inner = stub();
    const { approver, requests } = approverThat((request) => ({ decision: request.args.n === 1 ? 'approved' : 'denied' }));
    const tools = approvalGate(inner, { needsApproval: destructiveOnly, approver, context, timeoutMs: 60_000 });
    const results = await Promise.all([tools.callTool('files__delete_file', { n: 1 }), tools.callTool('files__delete_file', { n: 2 })]);
    assert.deepEqual(results.map((r) => r.isError), [false, true]);
    assert.equal(requests.length, 2);
    assert.deepEqual(inner.calls.map((c) => c.args), [{ n: 1 }]);
  });
});

describe('cappedResults', () => {
  const text = (value: string) => ({ type: 'text' as const, text: value });
  const image = (data: string) => ({ type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data } });

  it('passes a result within the limit through untouched', async () => {
    const result: ToolCallResult = { content: [text('a'.repeat(100)), image('b'.repeat(50))], isError: false, summary: 'small' };
    const tools = cappedResults(stub(() => result), 150);
    assert.equal(await tools.callTool('files__read_file', {}), result);
  });

  it('cuts long text and says how much there was', async () => {
    const tools = cappedResults(stub(() => ({ content: [text('x'.repeat(183_201))], isError: false, summary: 'read a big file' })), 50_000);
    const result = await tools.callTool('files__read_file', {});
    assert.deepEqual(
      result.content.map((b) => (b.type === 'text' ? b.text.length : -1)),
      [50_000, '[cut: showing 50,000 of 183,201 characters]'.length],
    );
    assert.deepEqual(result.content[1], text('[cut: showing 50,000 of 183,201 characters]'));
    assert.equal(result.summary, 'read a big file (cut)');
    assert.equal(result.isError, false);
  });

  it('keeps whole blocks while they fit, then the part of the next one that fits', () => {
    const capped = capContent([text('a'.repeat(60)), text('b'.repeat(60)), text('c'.repeat(60))], 100);
    assert.deepEqual(capped, [text('a'.repeat(60)), text('b'.repeat(40)), text('[cut: showing 100 of 180 characters]')]);
  });

  it('counts images by their base64 size, and leaves out and describes one that does not fit', () => {
    const content: ToolResultContent = [text('caption'), image('i'.repeat(2000)), text('after the image')];
    const capped = capContent(content, 1000);
    assert.deepEqual(capped, [
      text('caption'),
      text('[image left out: image/png, 2,000 characters of base64, more than the 1,000 characters a tool result may hold]'),
      text('after the image'),
      text('[cut: showing 22 of 2,022 characters]'),
    ]);
    const fits = capContent([image('i'.repeat(500)), text('t'.repeat(1000))], 1000);
    assert.deepEqual(fits, [image('i'.repeat(500)), text('t'.repeat(500)), text('[cut: showing 1,000 of 1,500 characters]')]);
  });

  it('never splits a surrogate pair, and caps error results too', async () => {
    const capped = capContent([text(`${'a'.repeat(9)}😀 and more`)], 10);
    assert.deepEqual(capped[0], text('a'.repeat(9)));
    const tools = cappedResults(stub(() => ({ content: [text('e'.repeat(5000))], isError: true, summary: 'failed' })), 1000);
    const result = await tools.callTool('files__read_file', {});
    assert.equal(result.isError, true);
    assert.match(textOf(result), /\[cut: showing 1,000 of 5,000 characters\]$/);
  });
});

describe('policyTools', () => {
  it('filters, gates and caps as the policy says', async () => {
    const policy = parsePolicyFile(
      JSON.stringify({ servers: { env: { denyTools: ['get-env'] } }, limits: { toolResultChars: 1000, toolRounds: 4 } }),
      { file: 'policy.json', knownServers: ['files', 'env'] },
    );
    const inner = stub((name) => ({ content: [text(`${name} `.repeat(500))], isError: false, summary: 'ok' }));
    const { approver, requests } = approverThat(() => ({ decision: 'denied' }));
    const tools = policyTools(inner, policy, context, { approver });

    assert.deepEqual(tools.listTools().map((t) => t.name), ['files__read_file', 'files__delete_file']);
    assert.equal((await tools.callTool('env__get-env', {})).summary, 'not available here');
    assert.equal((await tools.callTool('files__delete_file', {})).summary, 'denied');
    assert.equal(requests[0]?.timeoutMs, 600_000);
    const read = await tools.callTool('files__read_file', {});
    assert.match(textOf(read), /\[cut: showing 1,000 of 8,500 characters\]$/);
    assert.deepEqual(inner.calls.map((c) => c.name), ['files__read_file']);

    const options = policyTurnOptions(inner, policy, context, { approver });
    assert.equal(options.maxRounds, 4);
    assert.equal(options.tools.listTools().length, 2);
    const open = policyTurnOptions(inner, parsePolicyFile('{}', { file: 'p', knownServers: [] }), context, { approver });
    assert.equal('maxRounds' in open, false, 'no toolRounds: the agent keeps its own cap');
  });

  function text(value: string) {
    return { type: 'text' as const, text: value };
  }
});
