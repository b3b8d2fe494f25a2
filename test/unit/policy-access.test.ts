// The access decisions: who may ask where, which tools are offered where, which calls wait for
// approval (MCP annotation defaults included), who may approve; and the glob patterns they use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ToolDefinition } from '../../src/mcp/types.js';
import { mayApprove, mayUse, needsApproval, toolsFor } from '../../src/policy/access.js';
import { isDestructive, isReadOnly } from '../../src/policy/annotations.js';
import { matchesGlob } from '../../src/policy/glob.js';
import { parsePolicyFile } from '../../src/policy/policy-file.js';
import { DEFAULT_POLICY, type Conversation } from '../../src/policy/types.js';

const policyOf = (data: unknown) => parsePolicyFile(JSON.stringify(data), { file: 'policy.json', knownServers: ['github', 'files', 'memory'] });

const inChannel = (userId: string, channel = 'C01'): Conversation => ({ userId, channel, isDirect: false });
const inDm = (userId: string): Conversation => ({ userId, channel: 'D09', isDirect: true });

function tool(server: string, name: string, annotations?: ToolDefinition['annotations']): ToolDefinition {
  return {
    name: `${server}__${name}`,
    description: name,
    input_schema: { type: 'object' },
    server,
    tool: name,
    ...(annotations === undefined ? {} : { annotations }),
  };
}

describe('mayUse', () => {
  it('lets everyone in everywhere under the open policy', () => {
    assert.deepEqual(mayUse(DEFAULT_POLICY, inChannel('U01')), { ok: true });
    assert.deepEqual(mayUse(DEFAULT_POLICY, inDm('U01')), { ok: true });
  });

  it('keeps out people not on the allow list, and denied people even when listed', () => {
    const policy = policyOf({ users: { allow: ['U01', 'U02'], deny: ['U02'] } });
    assert.deepEqual(mayUse(policy, inChannel('U01')), { ok: true });
    for (const user of ['U02', 'U03']) {
      const decision = mayUse(policy, inChannel(user));
      assert.equal(decision.ok, false);
      assert.match(decision.ok ? '' : decision.reason, /^You are not on the list of people who may use this bot; an admin can add you/);
    }
  });

  it('answers only in allowed channels, "dm" standing for direct messages', () => {
    const policy = policyOf({ channels: { allow: ['C01', 'dm'], deny: ['C02'] } });
    assert.deepEqual(mayUse(policy, inChannel('U01', 'C01')), { ok: true });
    assert.deepEqual(mayUse(policy, inDm('U01')), { ok: true });
    const elsewhere = mayUse(policy, inChannel('U01', 'C03'));
    assert.deepEqual(elsewhere, { ok: false, reason: 'This bot is not enabled in this channel; an admin can add it to its access policy.' });

    const noDms = mayUse(policyOf({ channels: { deny: ['dm'] } }), inDm('U01'));
    assert.deepEqual(noDms, { ok: false, reason: 'This bot does not answer direct messages; please ask in a channel where it is enabled.' });
    assert.equal(mayUse(policyOf({ channels: { allow: ['C01'] } }), inDm('U01')).ok, false, 'an allow list without "dm" leaves DMs out');
    assert.equal(mayUse(policyOf({ channels: { deny: ['C02'] } }), inChannel('U01', 'C02')).ok, false);
  });

  it('checks the person before the channel', () => {
    const policy = policyOf({ users: { deny: ['U01'] }, channels: { deny: ['C01'] } });
    const decision = mayUse(policy, inChannel('U01', 'C01'));
    assert.match(decision.ok ? '' : decision.reason, /not on the list of people/);
  });
});

describe('toolsFor', () => {
  const policy = policyOf({
    servers: {
      github: { allowTools: ['search_*', 'get_issue', 'delete_branch'], denyTools: ['delete_*'] },
      files: { channels: ['C01', 'dm'] },
      memory: { denyTools: ['*'] },
    },
  });

  it('offers only allowed tools, and never denied ones', () => {
    const offered = toolsFor(policy, inChannel('U01', 'C01'));
    assert.equal(offered(tool('github', 'search_code')), true);
    assert.equal(offered(tool('github', 'get_issue')), true);
    assert.equal(offered(tool('github', 'get_issues')), false, 'an exact name is not a prefix');
    assert.equal(offered(tool('github', 'delete_branch')), false, 'deny wins over allow');
    assert.equal(offered(tool('memory', 'read_graph')), false);
    assert.equal(offered(tool('other', 'anything')), true, 'a server the policy does not name is open');
  });

  it('offers a server limited to channels only there', () => {
    assert.equal(toolsFor(policy, inChannel('U01', 'C01'))(tool('files', 'read_file')), true);
    assert.equal(toolsFor(policy, inDm('U01'))(tool('files', 'read_file')), true);
    assert.equal(toolsFor(policy, inChannel('U01', 'C02'))(tool('files', 'read_file')), false);
  });

  it('matches the tool\'s own name, not the namespaced one', () => {
    const offered = toolsFor(policyOf({ servers: { github: { denyTools: ['github__*'] } } }), inChannel('U01'));
    assert.equal(offered(tool('github', 'search_code')), true);
  });
});

describe('needsApproval and the annotations', () => {
  it('reads the hints with the MCP spec defaults', () => {
    assert.equal(isReadOnly(tool('x', 'bare')), false);
    assert.equal(isDestructive(tool('x', 'bare')), true, 'no annotations: destructive, as the spec defaults say');
    assert.equal(isDestructive(tool('x', 'ro', { readOnlyHint: true })), false);
    assert.equal(isDestructive(tool('x', 'ro-but', { readOnlyHint: true, destructiveHint: true })), false, 'destructiveHint means nothing for a read-only tool');
    assert.equal(isDestructive(tool('x', 'additive', { readOnlyHint: false, destructiveHint: false })), false);
    assert.equal(isDestructive(tool('x', 'title-only', { title: 'Write' })), true);
  });

  it('asks before destructive tools by default, not before read-only or additive ones', () => {
    assert.equal(needsApproval(DEFAULT_POLICY, tool('files', 'write_file', { readOnlyHint: false, destructiveHint: true })), true);
    assert.equal(needsApproval(DEFAULT_POLICY, tool('files', 'mystery')), true);
    assert.equal(needsApproval(DEFAULT_POLICY, tool('files', 'read_file', { readOnlyHint: true })), false);
    assert.equal(needsApproval(DEFAULT_POLICY, tool('memory', 'create_entities', { readOnlyHint: false, destructiveHint: false })), false);
  });

  it('asks before every tool that is not read-only when notReadOnly is on, and never when both are off', () => {
    const strict = policyOf({ approval: { notReadOnly: true } });
    assert.equal(needsApproval(strict, tool('memory', 'create_entities', { readOnlyHint: false, destructiveHint: false })), true);
    assert.equal(needsApproval(strict, tool('files', 'read_file', { readOnlyHint: true })), false);
    const off = policyOf({ approval: { destructive: false } });
    assert.equal(needsApproval(off, tool('files', 'write_file', { destructiveHint: true })), false);
  });

  it('lets the server rules override the annotations, requireApproval first', () => {
    const policy = policyOf({ servers: { github: { requireApproval: ['get_*'], skipApproval: ['*'] }, files: { skipApproval: ['write_*'] } } });
    assert.equal(needsApproval(policy, tool('github', 'get_issue', { readOnlyHint: true })), true);
    assert.equal(needsApproval(policy, tool('github', 'delete_repo', { destructiveHint: true })), false);
    assert.equal(needsApproval(policy, tool('files', 'write_file')), false);
    assert.equal(needsApproval(policy, tool('files', 'move_file')), true);
  });
});

describe('mayApprove', () => {
  it('lets the asker approve when the policy names no approvers', () => {
    assert.equal(mayApprove(DEFAULT_POLICY, { userId: 'U01', askerId: 'U01' }), true);
    assert.equal(mayApprove(DEFAULT_POLICY, { userId: 'U02', askerId: 'U01' }), false);
  });

  it('lets the listed approvers decide too, and nobody else', () => {
    const policy = policyOf({ approvers: ['U09'] });
    assert.equal(mayApprove(policy, { userId: 'U09', askerId: 'U01' }), true);
    assert.equal(mayApprove(policy, { userId: 'U01', askerId: 'U01' }), true);
    assert.equal(mayApprove(policy, { userId: 'U02', askerId: 'U01' }), false);
  });
});

describe('matchesGlob', () => {
  it('treats * as any run of characters and everything else literally', () => {
    assert.equal(matchesGlob('*', ''), true);
    assert.equal(matchesGlob('create_*', 'create_issue'), true);
    assert.equal(matchesGlob('create_*', 'create_'), true);
    assert.equal(matchesGlob('*_file', 'read_text_file'), true);
    assert.equal(matchesGlob('a*b*c', 'a-x-b-y-c'), true);
    assert.equal(matchesGlob('get.env', 'get-env'), false, 'a dot is a dot');
    assert.equal(matchesGlob('get-(env)', 'get-(env)'), true);
    assert.equal(matchesGlob('Get_*', 'get_x'), false, 'case-sensitive');
    assert.equal(matchesGlob('read', 'read_file'), false, 'whole names only');
  });

  it('does not let a start and an end overlap, and needs every piece in order', () => {
    assert.equal(matchesGlob('a*a', 'a'), false);
    assert.equal(matchesGlob('ab*ba', 'aba'), false);
    assert.equal(matchesGlob('a*b*c', 'a-c-b'), false);
    assert.equal(matchesGlob('*x*x*', 'x-x'), true);
    assert.equal(matchesGlob('**', 'anything'), true);
    assert.equal(matchesGlob('*.*', 'get.env'), true);
    assert.equal(matchesGlob('*.*', 'get-env'), false);
  });

  // A server chooses its tool names: one built to make a pattern's matching take forever must not hold
  // the bot. A regex ^.*a.*a…b$ backtracks for about n^9 steps on this name (never finishes); the
  // matcher answers in one pass. The timeout only ends a hung run; nothing here measures time.
  it('answers a pathological pattern on a long near-miss name', { timeout: 60_000 }, () => {
    const name = 'a'.repeat(100_000);
    assert.equal(matchesGlob('*a*a*a*a*a*a*a*a*b', name), false);
    assert.equal(matchesGlob('*a*a*a*a*a*a*a*a*a', name), true);
  });
});
