// The policy file: defaults, the full shape, one line per problem naming the file and the key, and
// where the file is looked for.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadPolicyFile, parsePolicyFile, policyLocation } from '../../src/policy/policy-file.js';
import { DEFAULT_POLICY } from '../../src/policy/types.js';

const KNOWN = ['github', 'memory'];
const parse = (data: unknown) => parsePolicyFile(JSON.stringify(data), { file: 'policy.json', knownServers: KNOWN });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

/** The problems of one bad file, each checked to be one line that names the file. */
function problems(data: unknown): string[] {
  const lines = problemsOf(() => parse(data));
  for (const line of lines) {
    assert.ok(line.startsWith('policy.json: '), line);
    assert.ok(!line.includes('\n'), line);
  }
  return lines;
}

describe('parsePolicyFile', () => {
  it('reads {} as the open policy with every default', () => {
    const policy = parse({});
    assert.deepEqual(policy, DEFAULT_POLICY);
    assert.deepEqual(policy.approval, { destructive: true, notReadOnly: false, timeoutSeconds: 600 });
    assert.deepEqual(policy.limits, { messageChars: 8000, toolResultChars: 50_000, turnSeconds: 900 });
    assert.equal(policy.approvers, undefined);
    assert.equal(policy.users.allow, undefined);
  });

  it('reads the whole shape', () => {
    const policy = parse({
      users: { allow: ['U01', 'W02'], deny: ['U03'] },
      channels: { allow: ['C01', 'dm'], deny: ['G02'] },
      approvers: ['U01'],
      approval: { destructive: false, notReadOnly: true, timeoutSeconds: 120 },
      servers: { github: { channels: ['C01'], allowTools: ['search_*'], denyTools: ['delete_*'], requireApproval: ['create_*'], skipApproval: ['list_*'] } },
      limits: { messageChars: 4000, toolRounds: 5, toolResultChars: 20_000, turnSeconds: 300 },
    });
    assert.deepEqual(policy.users, { allow: ['U01', 'W02'], deny: ['U03'] });
    assert.deepEqual(policy.channels, { allow: ['C01', 'dm'], deny: ['G02'] });
    assert.deepEqual(policy.approvers, ['U01']);
    assert.deepEqual(policy.approval, { destructive: false, notReadOnly: true, timeoutSeconds: 120 });
    assert.deepEqual(policy.servers.get('github'), {
      channels: ['C01'],
      allowTools: ['search_*'],
      denyTools: ['delete_*'],
      requireApproval: ['create_*'],
      skipApproval: ['list_*'],
    });
    assert.deepEqual(policy.limits, { messageChars: 4000, toolRounds: 5, toolResultChars: 20_000, turnSeconds: 300 });
  });

  it('fills the defaults of a partly given section and of a server rule', () => {
    const policy = parse({ approval: { timeoutSeconds: 60 }, limits: { turnSeconds: 120 }, servers: { memory: {} } });
    assert.deepEqual(policy.approval, { destructive: true, notReadOnly: false, timeoutSeconds: 60 });
    assert.deepEqual(policy.limits, { messageChars: 8000, toolResultChars: 50_000, turnSeconds: 120 });
    assert.deepEqual(policy.servers.get('memory'), { denyTools: [], requireApproval: [], skipApproval: [] });
    assert.equal(policy.servers.get('constructor'), undefined, 'a Map: no prototype keys');
  });

  it('refuses text that is not JSON, or not an object', () => {
    assert.match(problems('a string')[0] ?? '', /^policy\.json: must hold one JSON object/);
    const notObject = (text: string) => problemsOf(() => parsePolicyFile(text, { file: 'policy.json', knownServers: KNOWN }));
    assert.match(notObject('{"users": ')[0] ?? '', /is not valid JSON .*fix the syntax/);
    assert.match(notObject('[]')[0] ?? '', /^policy\.json: must hold one JSON object/);
    assert.match(notObject('null')[0] ?? '', /must hold one JSON object/);
  });

  it('names each bad key once, with the fix', () => {
    const cases: [unknown, RegExp][] = [
      [{ aprovers: ['U01'] }, /^policy\.json: aprovers is not a key the policy knows; the keys here are users, channels, approvers/],
      [{ users: 'everyone' }, /^policy\.json: users must be an object, e.g\./],
      [{ users: { allow: [] } }, /^policy\.json: users\.allow is empty, .*remove "allow" to let everyone in/],
      [{ users: { deny: ['bob'] } }, /^policy\.json: users\.deny\[0\] "bob" is not a Slack user id .*Copy member ID/],
      [{ users: { deny: 'U01' } }, /^policy\.json: users\.deny must be a list/],
      [{ users: { allow: ['U01'], block: ['U02'] } }, /^policy\.json: users\.block is not a key the policy knows; the keys here are allow, deny$/],
      [{ channels: { allow: ['#general'] } }, /^policy\.json: channels\.allow\[0\] "#general" is not a channel id; use the channel id, not its name/],
      [{ channels: { deny: [42] } }, /^policy\.json: channels\.deny\[0\] must be a Slack channel id in quotes/],
      [{ approvers: [] }, /^policy\.json: approvers is empty, .*only the person who asked decide/],
      [{ approval: { destructive: 'yes' } }, /^policy\.json: approval\.destructive must be true or false \(default true\)$/],
      [{ approval: { notReadOnly: 1 } }, /^policy\.json: approval\.notReadOnly must be true or false \(default false\)$/],
      [{ approval: { timeoutSeconds: 2.5 } }, /^policy\.json: approval\.timeoutSeconds must be a whole number of seconds from 10 to 86400 \(default 600\)$/],
      [{ approval: { timeoutSeconds: 5 } }, /^policy\.json: approval\.timeoutSeconds must be at least 10 seconds/],
      [{ servers: [] }, /^policy\.json: servers must be an object of server names/],
      [{ servers: { github: 'off' } }, /^policy\.json: servers\.github must be an object, e.g\./],
      [{ servers: { github: { allowTools: [] } } }, /^policy\.json: servers\.github\.allowTools is empty, .*"denyTools": \["\*"\]/],
      [{ servers: { github: { denyTools: [''] } } }, /^policy\.json: servers\.github\.denyTools\[0\] is empty; give a tool name or pattern/],
      [{ servers: { github: { requireApproval: 'create_*' } } }, /^policy\.json: servers\.github\.requireApproval must be a list/],
      [{ servers: { github: { chanels: ['C01'] } } }, /^policy\.json: servers\.github\.chanels is not a key the policy knows; the keys here are channels, allowTools/],
      [{ servers: { githib: {} } }, /^policy\.json: servers\.githib is not a server of the servers file \(the servers are github, memory\); fix the name or remove the entry$/],
      [{ limits: { messageChars: '8000' } }, /^policy\.json: limits\.messageChars must be a number of characters from 100 to 40000 \(default 8000\)$/],
      [{ limits: { toolRounds: 0 } }, /^policy\.json: limits\.toolRounds must be at least 1 rounds/],
      [{ limits: { toolResultChars: 5_000_000 } }, /^policy\.json: limits\.toolResultChars must be at most 1000000 characters/],
      [{ limits: { turnSeconds: -1 } }, /^policy\.json: limits\.turnSeconds must be at least 10 seconds/],
      [{ limits: { turnSeconds: 600 } }, /^policy\.json: approval\.timeoutSeconds \(600\) must be shorter than limits\.turnSeconds \(600\), or the answer is stopped/],
    ];
    for (const [data, expected] of cases) {
      const lines = problems(data);
      assert.equal(lines.length, 1, `${JSON.stringify(data)} -> ${lines.join(' | ')}`);
      assert.match(lines[0] ?? '', expected);
    }
  });

  it('collects every problem of a file, unknown servers included', () => {
    const lines = problems({
      users: { allow: ['alice'] },
      approval: { timeoutSeconds: 'long', extra: true },
      servers: { github: { denyTools: [3] }, nope: {}, 'odd name': {} },
    });
    assert.deepEqual(lines, [
      'policy.json: users.allow[0] "alice" is not a Slack user id (like U0123ABCD); in Slack open the person\'s profile, then ⋮ -> Copy member ID',
      'policy.json: approval.timeoutSeconds must be a number of seconds from 10 to 86400 (default 600)',
      'policy.json: approval.extra is not a key the policy knows; the keys here are destructive, notReadOnly, timeoutSeconds',
      'policy.json: servers.github.denyTools[0] must be a tool name or pattern in quotes, e.g. "create_*"',
      'policy.json: servers.nope is not a server of the servers file (the servers are github, memory); fix the name or remove the entry',
      'policy.json: servers["odd name"] is not a server of the servers file (the servers are github, memory); fix the name or remove the entry',
    ]);
  });

  it('says so when the servers file has no servers at all', () => {
    const lines = problemsOf(() => parsePolicyFile('{"servers": {"github": {}}}', { file: 'p.json', knownServers: [] }));
    assert.deepEqual(lines, ['p.json: servers.github is not a server of the servers file (the servers file names none); fix the name or remove the entry']);
  });
});

describe('policyLocation and loadPolicyFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'policy-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('looks beside the servers file unless POLICY_CONFIG names one', () => {
    assert.deepEqual(policyLocation({}, path.join('conf', 'mcp.json')), { file: path.join('conf', 'policy.json'), explicit: false });
    assert.deepEqual(policyLocation({ POLICY_CONFIG: '  ' }, './mcp.json'), { file: 'policy.json', explicit: false });
    assert.deepEqual(policyLocation({ POLICY_CONFIG: '/etc/bot/policy.json' }, './mcp.json'), { file: '/etc/bot/policy.json', explicit: true });
  });

  it('uses the open policy when there is no file at the default place', () => {
    const loaded = loadPolicyFile({ file: path.join(dir, 'policy.json'), explicit: false }, KNOWN);
    assert.equal(loaded.policy, DEFAULT_POLICY);
    assert.equal(loaded.file, undefined);
  });

  it('refuses a missing file that POLICY_CONFIG names', () => {
    const file = path.join(dir, 'missing.json');
    assert.deepEqual(problemsOf(() => loadPolicyFile({ file, explicit: true }, KNOWN)), [
      `${file}: does not exist; create it with {"users": {"allow": ["U0123ABCD"]}, "servers": {"github": {"denyTools": ["delete_*"]}}}, or point POLICY_CONFIG at your policy file (unset it for the open policy)`,
    ]);
  });

  it('reads a file, and reports its problems under its name', () => {
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ users: { deny: ['U0BAD'] }, limits: { messageChars: 2000 } }));
    const loaded = loadPolicyFile({ file, explicit: false }, KNOWN);
    assert.equal(loaded.file, file);
    assert.deepEqual(loaded.policy.users.deny, ['U0BAD']);
    assert.equal(loaded.policy.limits.messageChars, 2000);

    writeFileSync(file, JSON.stringify({ limits: { messageChars: 1 } }));
    assert.deepEqual(problemsOf(() => loadPolicyFile({ file, explicit: false }, KNOWN)), [
      `${file}: limits.messageChars must be at least 100 characters (default 8000)`,
    ]);
  });

  it('refuses a policy path that cannot be read, even at the default place', () => {
    // A directory where the file should be: unreadable as a file whoever runs the tests.
    const lines = problemsOf(() => loadPolicyFile({ file: dir, explicit: false }, KNOWN));
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /: cannot be read \(EISDIR\); create it with/);
  });
});
