// What the agent tests need around the fake Anthropic API: a small in-memory ToolProvider whose tools
// are plain functions, a sink that records every event, and an agent wired to the fake.
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { ToolResultContent } from '../../src/agent/content.js';
import { createAgent, type Agent, type AgentOptions } from '../../src/agent/loop.js';
import type { AgentEvent, AgentSink } from '../../src/agent/types.js';
import { silentLogger } from '../../src/log.js';
import type { ToolCallOptions, ToolCallResult, ToolDefinition, ToolProvider } from '../../src/mcp/types.js';
import { startFakeAnthropic, type FakeAnthropic } from './anthropic.js';

export interface StubTool {
  name: string;
  server?: string;
  tool?: string;
  description?: string;
  run: (args: Record<string, unknown>, options: ToolCallOptions) => ToolCallResult | Promise<ToolCallResult>;
}

export interface StubToolProvider extends ToolProvider {
  /** Every callTool, in call order. */
  calls: { name: string; args: Record<string, unknown> }[];
}

export function stubTools(tools: StubTool[]): StubToolProvider {
  const calls: StubToolProvider['calls'] = [];
  const definitions: ToolDefinition[] = tools.map((tool) => ({
    name: tool.name,
    description: tool.description ?? `the ${tool.name} tool`,
    input_schema: { type: 'object', properties: {} },
    server: tool.server ?? 'stub',
    tool: tool.tool ?? tool.name,
    annotations: { readOnlyHint: true },
  }));
  return {
    calls,
    listTools: () => definitions,
    async callTool(name, args, options = {}) {
      calls.push({ name, args });
      const tool = tools.find((t) => t.name === name);
      if (!tool) return { content: [{ type: 'text', text: `unknown tool ${name}` }], isError: true, summary: 'unknown' };
      return tool.run(args, options);
    },
  };
}

export const ok = (text: string, summary = text.slice(0, 40)): ToolCallResult => ({ content: [{ type: 'text', text }], isError: false, summary });
export const failed = (text: string): ToolCallResult => ({ content: [{ type: 'text', text }], isError: true, summary: text });
export const content = (blocks: ToolResultContent, summary = 'content'): ToolCallResult => ({ content: blocks, isError: false, summary });

export interface RecordingSink extends AgentSink {
  events: AgentEvent[];
  of<T extends AgentEvent['type']>(type: T): Extract<AgentEvent, { type: T }>[];
  text(): string;
}

export function recordingSink(): RecordingSink {
  const events: AgentEvent[] = [];
  return {
    events,
    emit(event) {
      events.push(event);
    },
    of<T extends AgentEvent['type']>(type: T) {
      return events.filter((event): event is Extract<AgentEvent, { type: T }> => event.type === type);
    },
    text() {
      return this.of('text')
        .map((event) => event.delta)
        .join('');
    },
  };
}

export const TEST_MODEL = 'claude-sonnet-5-5';

export function agentFor(fake: FakeAnthropic, tools: ToolProvider, options: Partial<AgentOptions> & { maxRetries?: number } = {}): Agent {
  const { maxRetries = 0, ...rest } = options;
  return createAgent({
    client: fake.client({ maxRetries }),
    tools,
    model: TEST_MODEL,
    maxTokens: 1024,
    system: 'You are a test assistant.',
    logger: silentLogger,
    ...rest,
  });
}

/** The last message of a recorded request, as blocks. */
export function lastBlocks(request: { messages: Anthropic.MessageParam[] } | undefined): Anthropic.ContentBlockParam[] {
  const last = request?.messages.at(-1);
  if (!last) return [];
  return typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
}

/** Resolves once `count` callers have arrived, or after `fallbackMs` so a wrong (serial) loop fails instead of hanging. */
export function barrier(count: number, fallbackMs = 2000): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, fallbackMs);
  return async () => {
    arrived++;
    if (arrived >= count) {
      clearTimeout(timer);
      release();
    }
    await all;
  };
}

/**
 * A fake Anthropic API for one describe block: started before its tests, closed after them, and
 * after each test every request it received must have been valid (then its calls are cleared and
 * `reset` runs). Read the fake as `suite.fake` inside the tests.
 */
export function strictFake(reset: () => void = () => {}): { readonly fake: FakeAnthropic } {
  let current: FakeAnthropic | undefined;
  const suite = {
    get fake(): FakeAnthropic {
      if (!current) throw new Error('the fake Anthropic API is started in before()');
      return current;
    },
  };
  before(async () => {
    current = await startFakeAnthropic();
  });
  after(() => suite.fake.close());
  afterEach(() => {
    assert.deepEqual(suite.fake.rejections, [], 'every request the fake received was valid');
    suite.fake.calls.length = 0;
    reset();
  });
  return suite;
}
