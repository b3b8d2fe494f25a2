// The access policy file, read once at start: POLICY_CONFIG, or policy.json beside the servers file.
// No file at the default path = the open policy (DEFAULT_POLICY); a file named by POLICY_CONFIG must
// exist. Every problem is collected and reported as one ConfigError line naming the file, the key
// and the fix, the way the servers file is checked. Every key is optional:
//
// {
//   "users":    { "allow": ["U0123ABCD"], "deny": ["U0456EFGH"] },   allow absent = everyone; deny wins
//   "channels": { "allow": ["C0123ABCD", "dm"], "deny": [] },          "dm" = direct messages
//   "approvers": ["U0123ABCD"],                  who may decide on a call besides the person who asked
//   "approval": { "destructive": true,           ask before tools that are destructive by their MCP
//                                                annotations (no annotations = destructive, per the spec)
//                 "notReadOnly": false,          ask before every tool not marked readOnlyHint: true
//                 "timeoutSeconds": 600 },       unanswered requests expire (the call is not run);
//                                                shorter than limits.turnSeconds
//   "servers": {
//     "github": { "channels": ["C0123ABCD"],     its tools only here; absent = everywhere
//                 "allowTools": ["search_*", "get_*"],  only these; absent = all
//                 "denyTools": ["delete_*"],     never these (wins over allowTools)
//                 "requireApproval": ["create_*"],  always ask (wins over skipApproval)
//                 "skipApproval": ["list_*"] }   never ask, whatever the annotations say
//   },
//   "limits": { "messageChars": 8000,            longest question
//               "toolRounds": 10,                rounds of tool calls per answer (absent = MAX_TOOL_ROUNDS)
//               "toolResultChars": 50000,        longest tool result Claude gets (images: base64 size)
//               "turnSeconds": 900,              longest time one answer may take
//               "toolCallsPerRound": 8,          tool calls of one response that run (absent = 8)
//               "toolResultBytesPerTurn": 400000, tool results one answer may take in all (absent = 400,000)
//               "questionsPerMinute": 10,        per person, counted as answers start (absent = no limit)
//               "turnsInFlight": 3,              answers being written for one person at once (absent = no limit)
//               "fileBytes": 5000000,            bytes of files one question may attach (absent = the settings')
//               "dailySpendUsd": 5 }             US dollars one person may spend a UTC day (absent = no limit)
// }
//
// Tool patterns match the tool's own name (as its server calls it, without the "server__" prefix);
// `*` matches any run of characters. Server names must be those of the servers file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { keyPath, parseJsonFile } from '../config-file.js';
import { isPlainObject } from '../plain-object.js';
import { policySchema, type PolicyFileData } from './schema.js';
import { DEFAULT_POLICY, type Policy, type ServerRule } from './types.js';

export const POLICY_FILE_NAME = 'policy.json';
const SHAPE_HINT = '{"users": {"allow": ["U0123ABCD"]}, "servers": {"github": {"denyTools": ["delete_*"]}}}';

export interface ParsePolicyOptions {
  /** How the file is named in messages (as the person wrote it). */
  file: string;
  /**
   * The servers of the servers file: a rule for any other name is a mistake worth stopping for.
   * Undefined when the servers file itself could not be read (its own problems are reported then).
   */
  knownServers: readonly string[] | undefined;
}

/** Parses the text of a policy file. Throws ConfigError listing every problem found. */
export function parsePolicyFile(text: string, options: ParsePolicyOptions): Policy {
  const { file } = options;
  const data = parseJsonFile(text, file, SHAPE_HINT);
  if (!isPlainObject(data)) {
    throw new ConfigError([`${file}: must hold one JSON object, like ${SHAPE_HINT}`]);
  }
  const parsed = policySchema.safeParse(data);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => linesOf(file, issue));
  problems.push(...unknownServers(file, (data).servers, options.knownServers));
  if (parsed.success) problems.push(...crossChecks(file, parsed.data));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toPolicy(parsed.data);
}

/** A rule for a server the servers file does not have is most likely a typo that leaves the real one unrestricted. */
function unknownServers(file: string, servers: unknown, knownServers: readonly string[] | undefined): string[] {
  if (knownServers === undefined) return [];
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return [];
  const known = new Set(knownServers);
  const names = knownServers.length > 0 ? `the servers are ${knownServers.join(', ')}` : 'the servers file names none';
  return Object.keys(servers)
    .filter((name) => !known.has(name))
    .map((name) => `${file}: ${keyPath(['servers', name])} is not a server of the servers file (${names}); fix the name or remove the entry`);
}

/** Settings that are fine alone but not together. */
function crossChecks(file: string, data: PolicyFileData): string[] {
  const { timeoutSeconds } = data.approval;
  const { turnSeconds } = data.limits;
  if (timeoutSeconds < turnSeconds) return [];
  // The wait for a click counts against the answer's own time limit, which would end it first.
  return [
    `${file}: approval.timeoutSeconds (${timeoutSeconds}) must be shorter than limits.turnSeconds (${turnSeconds}), or the answer is stopped before an approval can expire; lower one or raise the other`,
  ];
}

/** One line per problem; an unknown-key issue names each key it found. */
function linesOf(file: string, issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${file}: ${keyPath([...issue.path, key])} ${issue.message}`);
  }
  const where = issue.path.length === 0 ? '' : ` ${keyPath(issue.path)}`;
  return [`${file}:${where} ${issue.message}`];
}

function toPolicy(data: PolicyFileData): Policy {
  const servers = new Map<string, ServerRule>();
  for (const [name, rule] of Object.entries(data.servers)) servers.set(name, rule);
  return {
    users: data.users,
    channels: data.channels,
    ...(data.approvers === undefined ? {} : { approvers: data.approvers }),
    approval: data.approval,
    servers,
    limits: data.limits,
  };
}


export interface PolicyLocation {
  file: string;
  /** True when POLICY_CONFIG named it: then a missing file is an error, not "no policy". */
  explicit: boolean;
}

/** POLICY_CONFIG if set, else policy.json in the servers file's directory. */
export function policyLocation(env: Readonly<Record<string, string | undefined>>, serversFile: string): PolicyLocation {
  const named = env.POLICY_CONFIG?.trim();
  if (named) return { file: named, explicit: true };
  return { file: path.join(path.dirname(serversFile), POLICY_FILE_NAME), explicit: false };
}

export interface LoadedPolicy {
  policy: Policy;
  /** The file it came from; undefined when there was none and the open policy applies. */
  file?: string;
}

/** Reads the policy file where policyLocation says. Throws ConfigError (also when it cannot be read). */
export function loadPolicyFile(location: PolicyLocation, knownServers: readonly string[] | undefined): LoadedPolicy {
  const { file } = location;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !location.explicit) return { policy: DEFAULT_POLICY };
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`;
    throw new ConfigError([`${file}: ${reason}; create it with ${SHAPE_HINT}, or point POLICY_CONFIG at your policy file (unset it for the open policy)`]);
  }
  return { policy: parsePolicyFile(text, { file, knownServers }), file };
}
