// The bot's own Block Kit, built from the largest and oddest input it can meet, passes the fake's
// Block Kit rules (test/fakes/slack-blocks.ts): approvals, the App Home and /mcp overview, and the
// blocks under an answer. The e2e tests see these with ordinary input; here each is pushed to its
// limits, where a payload Slack refuses would fail unseen.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServerStatus, ToolDefinition } from '../../src/mcp/types.js';
import { feedbackBlocks } from '../../src/slack/answer.js';
import { approvalBlocks, samplingHeadline } from '../../src/slack/questions/approvals.js';
import { fullCallView } from '../../src/slack/questions/call-view.js';
import { overviewBlocks } from '../../src/slack/home/overview.js';
import { RECENT_THREADS_KEPT } from '../../src/slack/home/recent-threads.js';
import { usageBlock } from '../../src/slack/reply/usage.js';
import { MESSAGE_LIST_LIMITS, VIEW_LIST_LIMITS, validateBlocks, validateView } from '../fakes/slack-blocks.js';

const accepted = (blocks: unknown[], surface: 'message' | 'home' = 'message') =>
  assert.deepEqual(validateBlocks(blocks, surface, surface === 'message' ? MESSAGE_LIST_LIMITS : VIEW_LIST_LIMITS), []);

describe('the bot’s Block Kit at its limits', () => {
  test('an approval whose arguments are long and full of code fences', () => {
    const record = { id: 'a', conversation: 'c', channel: 'C1', threadTs: '1.1', askedBy: 'U1', server: 'files', tool: 'write_file', args: {}, expiresAt: 0 };
    accepted(approvalBlocks('id-1', samplingHeadline(record, 600_000), { content: '```'.repeat(2000), path: `/${'p'.repeat(5000)}` }));
    accepted(approvalBlocks('id-2', samplingHeadline(record, 600_000), undefined));
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key_${'k'.repeat(200)}_${i}`, '<&>'.repeat(1000)]));
    accepted(approvalBlocks('id-3', samplingHeadline(record, 600_000), many));
  });

  test('the modal of a whole call, however big', () => {
    for (const args of [{}, { content: '<&>`'.repeat(200_000), path: '/prod/x' }, { items: Array.from({ length: 5000 }, (_, i) => ({ i })) }]) {
      assert.deepEqual(validateView(fullCallView({ server: 'files', tool: 'write_file', args }), ['modal']), []);
    }
  });

  test('the overview with many servers, long errors and tool lists, and a full list of recent threads', () => {
    const servers: ServerStatus[] = Array.from({ length: 60 }, (_, i) => ({
      name: `server${i}`,
      kind: 'stdio',
      state: i % 2 === 0 ? 'up' : 'failed',
      tools: 200,
      lastError: 'e'.repeat(5000),
      restarts: i,
    }));
    const tools: ToolDefinition[] = servers.flatMap((s) =>
      Array.from({ length: 200 }, (_, j) => ({ name: `${s.name}__tool_${j}`, description: '', input_schema: { type: 'object' as const }, server: s.name, tool: `tool_${'t'.repeat(40)}_${j}` })),
    );
    const recent = Array.from({ length: RECENT_THREADS_KEPT }, (_, i) => ({ key: `T1:C1:${i}.000001`, channel: 'C1', threadTs: `${i}.000001`, title: `<!channel> & ${'x'.repeat(58)}`, at: Date.now() }));
    const blocks = overviewBlocks({ servers, tools, needsApproval: (t) => t.tool.endsWith('1'), recent });
    accepted(blocks, 'home');
    accepted(blocks, 'message'); // /mcp answers with the same blocks in a message
    accepted(overviewBlocks({ servers: [], tools: [], needsApproval: () => false, recent: [] }), 'home');
  });

  test('the blocks under an answer: usage and feedback buttons', () => {
    const big = { input_tokens: 9e9, output_tokens: 9e9, cache_read_input_tokens: 9e9, cache_creation_input_tokens: 9e9 };
    accepted([{ type: 'markdown', text: 'x'.repeat(11_000) }, usageBlock(big, big), ...feedbackBlocks('answer_feedback')]);
  });
});
