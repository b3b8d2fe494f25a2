// What servers may ask of the bot, against server-everything over stdio: roots, elicitation (form and
// URL, with the caller's context), sampling, progress messages, and prompts and resources. The hooks
// stand in for the Slack side: they record what they were given and answer as a person would.
import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import { McpHub } from '../../src/mcp/hub.js';
import type {
  ElicitationRequest,
  ElicitationResponse,
  HookExtras,
  SamplingRequest,
  SamplingResponse,
  ToolCallResult,
  ToolProgress,
} from '../../src/mcp/types.js';
import { everything, fixture, recordingLogger, until, type LogEntry } from '../fixtures/mcp/test-helpers.js';

function textOf(result: ToolCallResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : `<${block.type}>`)).join('\n');
}

interface Asked<R> {
  request: R;
  context: unknown;
}

describe('McpHub client features with server-everything (stdio)', () => {
  const log: LogEntry[] = [];
  const elicitations: Asked<ElicitationRequest>[] = [];
  const samplings: Asked<SamplingRequest>[] = [];
  let answerElicitation: (request: ElicitationRequest, context: unknown, extras: HookExtras) => Promise<ElicitationResponse>;
  let answerSampling: (request: SamplingRequest) => Promise<SamplingResponse>;
  let hub: McpHub;

  before(async () => {
    hub = await McpHub.start(
      [
        everything(),
        // Its own roots replace the hub's.
        { ...everything({}, 'scoped'), roots: [{ uri: 'file:///srv/scoped', name: 'Scoped' }] },
        fixture('toy', 'toy-server.mjs'),
      ],
      {
        logger: recordingLogger(log),
        roots: [{ uri: 'file:///srv/workspace', name: 'Workspace' }, { uri: 'file:///srv/unnamed' }],
        onElicitation: (request, context, extras) => {
          elicitations.push({ request, context });
          return answerElicitation(request, context, extras);
        },
        onSampling: (request, context) => {
          samplings.push({ request, context });
          return answerSampling(request);
        },
      },
    );
    // server-everything adds these tools once it has read our capabilities, right after initialising.
    await until(() => {
      const names = hub.listTools().map((t) => t.name);
      return ['everything', 'scoped'].every((s) => names.includes(`${s}__get-roots-list`) && names.includes(`${s}__trigger-sampling-request`));
    }, 'the capability-dependent tools');
  });

  after(() => hub.close());

  it('declares roots, elicitation (form and URL) and sampling, so the server offers the tools that use them', () => {
    const names = hub.listTools().map((t) => t.name);
    for (const tool of ['get-roots-list', 'trigger-elicitation-request', 'trigger-url-elicitation', 'trigger-sampling-request']) {
      assert.ok(names.includes(`everything__${tool}`), tool);
    }
  });

  it('answers roots/list with the configured roots, and a server entry’s own roots replace them', async () => {
    const all = textOf(await hub.callTool('everything__get-roots-list', {}));
    assert.match(all, /Current MCP Roots \(2 total\)/);
    assert.match(all, /1\. Workspace\n\s+URI: file:\/\/\/srv\/workspace/);
    assert.match(all, /2\. Unnamed Root\n\s+URI: file:\/\/\/srv\/unnamed/);
    const scoped = textOf(await hub.callTool('scoped__get-roots-list', {}));
    assert.match(scoped, /Current MCP Roots \(1 total\)/);
    assert.match(scoped, /1\. Scoped\n\s+URI: file:\/\/\/srv\/scoped/);
    assert.ok(!scoped.includes('workspace'));
  });

  it('hands a form to the elicitation hook with its fields, defaults and the caller’s context; accept reaches the tool', async () => {
    elicitations.length = 0;
    answerElicitation = async () => ({ action: 'accept', content: { name: 'Ada Lovelace', check: true, integer: 7, email: 'ada@example.com' } });
    const result = await hub.callTool('everything__trigger-elicitation-request', {}, { context: { user: 'U123', channel: 'C1' } });
    assert.equal(result.isError, false, textOf(result));
    assert.match(textOf(result), /User provided the requested information/);
    assert.match(textOf(result), /- Name: Ada Lovelace/);
    assert.match(textOf(result), /- Agreed to terms: true/);
    assert.match(textOf(result), /- Email: ada@example\.com/);
    assert.match(textOf(result), /- Favorite Integer: 7/);

    assert.equal(elicitations.length, 1);
    const [asked] = elicitations;
    assert.deepEqual(asked?.context, { user: 'U123', channel: 'C1' });
    const request = asked?.request;
    assert.ok(request?.mode === 'form');
    assert.equal(request.server, 'everything');
    assert.equal(request.message, 'Please provide inputs for the following fields:');
    const fields = Object.fromEntries(request.fields.map((f) => [f.name, f]));
    assert.deepEqual(request.fields.map((f) => f.name).slice(0, 3), ['name', 'check', 'firstLine'], 'in the server’s order');
    assert.deepEqual(fields.name, { name: 'name', required: true, title: 'String', description: 'Your full, legal name', type: 'string' });
    assert.deepEqual(fields.check, { name: 'check', required: false, title: 'Boolean', description: 'Agree to the terms and conditions', type: 'boolean' });
    assert.equal(fields.firstLine?.type === 'string' && fields.firstLine.default, 'It was a dark and stormy night.');
    assert.equal(fields.email?.type === 'string' && fields.email.format, 'email');
    assert.equal(fields.birthdate?.type === 'string' && fields.birthdate.format, 'date');
    assert.deepEqual(fields.integer, {
      name: 'integer',
      required: false,
      title: 'Integer',
      description: 'Your favorite integer (do not give us your phone number, pin, or other sensitive info)',
      type: 'integer',
      default: 42,
      minimum: 1,
      maximum: 100,
    });
    assert.equal(fields.number?.type === 'number' && fields.number.default, 3.14);
    const single = fields.untitledSingleSelectEnum;
    assert.ok(single?.type === 'enum');
    assert.equal(single.default, 'Monica');
    assert.deepEqual(single.options.slice(0, 2), [
      { value: 'Monica', label: 'Monica' },
      { value: 'Rachel', label: 'Rachel' },
    ]);
    const titled = fields.titledSingleSelectEnum;
    assert.ok(titled?.type === 'enum');
    assert.deepEqual(titled.options[0], { value: 'hero-1', label: 'Superman' });
    const legacy = fields.legacyTitledEnum;
    assert.ok(legacy?.type === 'enum');
    assert.deepEqual([legacy.options[0], legacy.default], [{ value: 'pet-1', label: 'Cats' }, 'pet-1']);
    const multi = fields.untitledMultipleSelectEnum;
    assert.ok(multi?.type === 'multi-enum');
    assert.deepEqual([multi.default, multi.minItems, multi.maxItems, multi.options.length], [['Guitar'], 1, 3, 5]);
    const fish = fields.titledMultipleSelectEnum;
    assert.ok(fish?.type === 'multi-enum');
    assert.deepEqual(fish.options[1], { value: 'fish-2', label: 'Salmon' });
  });

  it('passes decline and cancel back to the server', async () => {
    answerElicitation = async () => ({ action: 'decline' });
    assert.match(textOf(await hub.callTool('everything__trigger-elicitation-request', {})), /User declined to provide the requested information/);
    answerElicitation = async () => ({ action: 'cancel' });
    assert.match(textOf(await hub.callTool('everything__trigger-elicitation-request', {})), /User cancelled the elicitation dialog/);
  });

  it('keeps the call’s timeout still while the person answers', async () => {
    answerElicitation = async () => {
      // Three times the call's timeout: the call must not time out meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 900));
      return { action: 'accept', content: { name: 'Slow Typist' } };
    };
    const result = await hub.callTool('everything__trigger-elicitation-request', {}, { timeoutMs: 300 });
    assert.equal(result.isError, false, textOf(result));
    assert.match(textOf(result), /- Name: Slow Typist/);
  });

  it('withdraws the question (aborts the hook’s signal) when its call is cancelled', async () => {
    const controller = new AbortController();
    let withdrawn = false;
    answerElicitation = (_request, _context, extras) =>
      new Promise((resolve) => {
        extras.signal.addEventListener('abort', () => {
          withdrawn = true;
          resolve({ action: 'cancel' });
        });
        // The person is looking at the form; then they stop the whole question.
        setTimeout(() => controller.abort(), 50);
      });
    // On "scoped": a cancelled call keeps its server from guessing whose a question is for a while
    // (see the late-asker tests below), and the tests after this one rely on that guess on "everything".
    const result = await hub.callTool('scoped__trigger-elicitation-request', {}, { signal: controller.signal });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /cancelled/);
    await until(() => withdrawn, 'the hook’s signal aborts');
  });

  it('gives no context when two calls run on a stdio server at once (the protocol cannot say whose question it is)', async () => {
    elicitations.length = 0;
    answerElicitation = async (_request, context) => (context === undefined ? { action: 'decline' } : { action: 'accept', content: { name: typeof context === 'string' ? context : JSON.stringify(context) } });
    const results = await Promise.all([
      hub.callTool('everything__trigger-elicitation-request', {}, { context: 'alice' }),
      hub.callTool('everything__trigger-elicitation-request', {}, { context: 'bob' }),
    ]);
    assert.deepEqual(elicitations.map((e) => e.context), [undefined, undefined]);
    for (const result of results) assert.match(textOf(result), /User declined/);
  });

  it('hands a URL elicitation to the hook with its url and id', async () => {
    elicitations.length = 0;
    answerElicitation = async () => ({ action: 'accept' });
    const result = await hub.callTool(
      'everything__trigger-url-elicitation',
      { url: 'https://example.com/consent', message: 'Approve the export', elicitationId: 'el-1' },
      { context: 'carol' },
    );
    assert.equal(result.isError, false, textOf(result));
    assert.match(textOf(result), /User completed the URL elicitation flow\.\nElicitation ID: el-1\nURL: https:\/\/example\.com\/consent/);
    assert.deepEqual(elicitations, [
      {
        request: { mode: 'url', server: 'everything', message: 'Approve the export', url: 'https://example.com/consent', elicitationId: 'el-1' },
        context: 'carol',
      },
    ]);
  });

  it('shows the page a call needs first (URL elicitation required) and tells Claude to call again afterwards', async () => {
    elicitations.length = 0;
    answerElicitation = async () => ({ action: 'accept' });
    const args = { url: 'https://example.com/after', errorPath: true };
    const first = await hub.callTool('everything__trigger-url-elicitation', args, { context: 'dave' });
    assert.equal(first.isError, true);
    assert.match(textOf(first), /needs the person to complete a step in their browser first/);
    assert.match(textOf(first), /https:\/\/modelcontextprotocol\.io .*agreed to open it/);
    assert.match(textOf(first), /call the tool again/);
    assert.equal(elicitations[0]?.request.mode, 'url');
    assert.equal(elicitations[0]?.context, 'dave');
    const again = await hub.callTool('everything__trigger-url-elicitation', args, { context: 'dave' });
    assert.equal(again.isError, false, textOf(again));
    assert.match(textOf(again), /User completed the URL elicitation flow/);
  });

  it('hands sampling requests to the hook, and its answer reaches the tool', async () => {
    samplings.length = 0;
    answerSampling = async () => ({ text: 'Hi from Claude', model: 'claude-test', stopReason: 'endTurn' });
    const result = await hub.callTool('everything__trigger-sampling-request', { prompt: 'hello', maxTokens: 42 }, { context: 'erin' });
    assert.equal(result.isError, false, textOf(result));
    const reply = JSON.parse(textOf(result).replace(/^LLM sampling result: \n/, '')) as Record<string, unknown>;
    assert.deepEqual(reply, { model: 'claude-test', stopReason: 'endTurn', role: 'assistant', content: { type: 'text', text: 'Hi from Claude' } });
    assert.deepEqual(samplings, [
      {
        request: {
          server: 'everything',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Resource trigger-sampling-request context: hello' }] }],
          maxTokens: 42,
          systemPrompt: 'You are a helpful test server.',
          temperature: 0.7,
        },
        context: 'erin',
      },
    ]);
  });

  it('reports a failing sampling hook to the server, which fails its tool', async () => {
    answerSampling = async () => {
      throw new Error('no model today');
    };
    const result = await hub.callTool('everything__trigger-sampling-request', { prompt: 'x' });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /no model today/);
    assert.ok(log.some((e) => e.level === 'warn' && e.msg === 'mcp sampling hook failed' && e.fields.server === 'everything'));
  });

  it('passes progress messages to onProgress', async () => {
    const progress: ToolProgress[] = [];
    const result = await hub.callTool('toy__progress', { steps: 3 }, { onProgress: (p) => progress.push(p) });
    assert.equal(textOf(result), 'did 3 steps');
    // As with everything's progress: the last one may come after the result and be dropped.
    assert.ok(progress.length >= 2, `got ${progress.length}`);
    assert.deepEqual(
      progress,
      [
        { progress: 1, total: 3, message: 'step 1 of 3' },
        { progress: 2, total: 3, message: 'step 2 of 3' },
        { progress: 3, total: 3, message: 'step 3 of 3' },
      ].slice(0, progress.length),
    );
  });

  it('lists prompts of the servers that offer them, with their arguments', async () => {
    const prompts = await hub.listPrompts();
    assert.deepEqual([...new Set(prompts.map((p) => p.server))], ['everything', 'scoped'], 'the toy server offers none');
    const mine = prompts.filter((p) => p.server === 'everything');
    assert.ok(['simple-prompt', 'args-prompt', 'resource-prompt'].every((name) => mine.some((p) => p.name === name)));
    assert.deepEqual(
      mine.find((p) => p.name === 'args-prompt'),
      {
        server: 'everything',
        name: 'args-prompt',
        title: 'Arguments Prompt',
        description: 'A prompt with two arguments, one required and one optional',
        arguments: [
          { name: 'city', description: 'Name of the city', required: true },
          // (server-everything's schema loses this one's description)
          { name: 'state', required: false },
        ],
      },
    );
  });

  it('gets a prompt with arguments, as text and as content blocks', async () => {
    const filled = await hub.getPrompt('everything', 'args-prompt', { city: 'Paris', state: 'TX' });
    assert.deepEqual(filled.messages, [
      { role: 'user', content: [{ type: 'text', text: "What's weather in Paris, TX?" }], text: "What's weather in Paris, TX?" },
    ]);
    const withResource = await hub.getPrompt('everything', 'resource-prompt', { resourceType: 'Text', resourceId: '2' });
    assert.equal(withResource.messages.length, 2);
    assert.match(withResource.messages[1]?.text ?? '', /^Resource demo:\/\/resource\/dynamic\/text\/2 \(text\/plain\):\nResource 2: This is a plaintext resource/);
    await assert.rejects(hub.getPrompt('nope', 'x'), /there is no server named "nope"/);
    await assert.rejects(hub.getPrompt('toy', 'x'), /the "toy" server offers no prompts/);
    await assert.rejects(hub.getPrompt('everything', 'args-prompt', {}), /city/);
  });

  it('lists resources and templates, and reads text and blob resources converted for Claude', async () => {
    const resources = await hub.listResources();
    const doc = resources.find((r) => r.server === 'everything' && r.uri === 'demo://resource/static/document/instructions.md');
    assert.deepEqual(doc && { name: doc.name, mimeType: doc.mimeType }, { name: 'instructions.md', mimeType: 'text/markdown' });
    assert.ok(!resources.some((r) => r.server === 'toy'));
    const templates = await hub.listResourceTemplates();
    assert.ok(templates.some((t) => t.server === 'everything' && t.uriTemplate === 'demo://resource/dynamic/text/{resourceId}'));

    const read = await hub.readResource('demo://resource/static/document/instructions.md');
    assert.equal(read.server, 'everything', 'the first server that lists it');
    assert.equal(read.content.length, 1);
    assert.match(read.content[0]?.type === 'text' ? read.content[0].text : '', /^Resource demo:\/\/resource\/static\/document\/instructions\.md \(text\/markdown\):\n\S/);

    // Listed nowhere (it comes from a template): read from the first server that can.
    const blob = await hub.readResource('demo://resource/dynamic/blob/3');
    assert.equal(blob.server, 'everything');
    assert.match(blob.content[0]?.type === 'text' ? blob.content[0].text : '', /^Resource demo:\/\/resource\/dynamic\/blob\/3 \(text\/plain\):\nResource 3: This is a base64 blob/);
    const fromScoped = await hub.readResource('demo://resource/dynamic/text/1', 'scoped');
    assert.equal(fromScoped.server, 'scoped');

    await assert.rejects(hub.readResource('demo://resource/nope'), /no server could read "demo:\/\/resource\/nope"/);
  });

  it('asks only the servers a conversation may use: the others are neither listed nor read', async () => {
    const onlyScoped = (server: string) => server === 'scoped';
    const listed = await hub.listResources(onlyScoped);
    assert.ok(listed.length > 0 && listed.every((r) => r.server === 'scoped'));
    assert.ok((await hub.listPrompts(onlyScoped)).every((p) => p.server === 'scoped'));
    // Both servers list this resource; "everything" comes first in the config, yet it is not asked.
    const read = await hub.readResource('demo://resource/static/document/instructions.md', undefined, onlyScoped);
    assert.equal(read.server, 'scoped');
    await assert.rejects(hub.readResource('demo://resource/static/document/instructions.md', undefined, () => false), /no server that offers resources here is up/);
  });
});

// A server that asks its question after its call was cancelled, while another person's call runs on
// it: over stdio nothing says whose the question is, and it must not reach the person now calling.
describe('McpHub and a question that arrives after its call ended (stdio)', () => {
  for (const mode of ['sample', 'elicit'] as const) {
    it(`declines a late ${mode === 'sample' ? 'sampling request' : 'form'} of a cancelled call instead of giving it to the call running now`, async () => {
      const asked: { kind: string; context: unknown }[] = [];
      // A fresh server each time: its late question comes once.
      const hub = await McpHub.start([fixture('late', 'late-asker.mjs')], {
        logger: recordingLogger([]),
        // As the Slack side does: nobody known to ask means no.
        onSampling: async (_request, context) => {
          asked.push({ kind: 'sampling', context });
          if (context === undefined) throw new Error('Nobody is there to approve this request');
          return { text: `approved by ${JSON.stringify(context)}`, model: 'm' };
        },
        onElicitation: async (_request, context) => {
          asked.push({ kind: 'elicitation', context });
          return context === undefined ? { action: 'decline' } : { action: 'accept', content: { name: JSON.stringify(context) } };
        },
      });
      try {
        const controller = new AbortController();
        const cancelled = await hub.callTool('late__late-sampler', { mode }, { context: 'alice', signal: controller.signal, onProgress: () => controller.abort() });
        assert.match(textOf(cancelled), /cancelled/);
        // Bob's call is the only one in flight when the server asks its question for Alice's call.
        const bob = await hub.callTool('late__hold', {}, { context: 'bob' });
        assert.deepEqual(asked, [{ kind: mode === 'sample' ? 'sampling' : 'elicitation', context: undefined }]);
        assert.match(textOf(bob), mode === 'sample' ? /^refused: .*Nobody is there to approve/ : /^answered: \{"action":"decline"\}/);
      } finally {
        await hub.close();
      }
    });
  }
});

describe('McpHub without client hooks', () => {
  it('declares nothing, so server-everything keeps the tools that need hooks to itself', async () => {
    const hub = await McpHub.start([everything()], { logger: recordingLogger([]) });
    try {
      // Give a late tools/list_changed a chance to arrive: the tools must still not be there.
      assert.equal((await hub.callTool('everything__echo', { message: 'x' })).isError, false);
      const names = hub.listTools().map((t) => t.name);
      for (const tool of ['get-roots-list', 'trigger-elicitation-request', 'trigger-sampling-request', 'trigger-url-elicitation']) {
        assert.ok(!names.includes(`everything__${tool}`), tool);
      }
    } finally {
      await hub.close();
    }
  });
});
