// The access policy as the rest of the bot sees it, once policy-file.ts has validated it. Absent
// lists mean "no restriction"; every default lives in DEFAULT_POLICY so that "no policy file" and
// "an empty {}" behave the same.

/** Who is asking, and where: what the access decisions need to know about a conversation. */
export interface Conversation {
  userId: string;
  /** The Slack channel id (C..., G..., or D... for a direct message). */
  channel: string;
  isDirect: boolean;
}

/** A list of who or where: `allow` absent = everyone / everywhere; `deny` always wins. */
export interface AllowDeny {
  allow?: readonly string[];
  deny: readonly string[];
}

/** One server's rules. Tool globs match the tool's own name (as its server calls it), `*` = any run of characters. */
export interface ServerRule {
  /** Channels where its tools are offered ("dm" = any direct message); absent = everywhere. */
  channels?: readonly string[];
  /** Only these tools are offered; absent = all. */
  allowTools?: readonly string[];
  /** Never offered (wins over allowTools). */
  denyTools: readonly string[];
  /** Always ask before running (wins over skipApproval). */
  requireApproval: readonly string[];
  /** Never ask, whatever the tool's annotations say (for servers that do not annotate their tools). */
  skipApproval: readonly string[];
}

export interface ApprovalRules {
  /** Ask before a tool that is destructive by its MCP annotations (spec defaults apply). */
  destructive: boolean;
  /** Ask before any tool that is not read-only by its MCP annotations. */
  notReadOnly: boolean;
  /** How long a request waits for a click before it expires. */
  timeoutSeconds: number;
}

export interface Limits {
  /** Longest question, in characters. */
  messageChars: number;
  /** Rounds of tool calls in one answer; absent = the bot's MAX_TOOL_ROUNDS. */
  toolRounds?: number;
  /** Longest tool result given to Claude, in characters (images count by their base64 size). */
  toolResultChars: number;
  /** Longest time one answer may take. */
  turnSeconds: number;
  /** Tool calls of one response that run; absent = the agent's default (8). */
  toolCallsPerRound?: number;
  /** Tool-result bytes one answer may take in all; absent = the agent's default (400,000). */
  toolResultBytesPerTurn?: number;
  /** Questions one person may have answered per minute (replicas share the count); absent = no limit. */
  questionsPerMinute?: number;
  /** Answers being written for one person at once, over all threads; absent = no limit. */
  turnsInFlight?: number;
  /** Bytes of files one question may attach (and one file may have); absent = the bot's FILE_MAX_BYTES / QUESTION_FILES_MAX_BYTES. */
  fileBytes?: number;
  /** US dollars one person may spend a UTC day (src/spend/); absent = no limit. */
  dailySpendUsd?: number;
}

export interface Policy {
  users: AllowDeny;
  channels: AllowDeny;
  /** Who may approve a call; absent = the person who asked. */
  approvers?: readonly string[];
  approval: ApprovalRules;
  /** By server name. A Map, so a server called "constructor" cannot find Object's prototype. */
  servers: ReadonlyMap<string, ServerRule>;
  limits: Limits;
}

/** In channel lists, this entry stands for every direct message with the bot. */
export const DIRECT_MESSAGES = 'dm';

export const DEFAULT_APPROVAL: ApprovalRules = { destructive: true, notReadOnly: false, timeoutSeconds: 600 };
export const DEFAULT_LIMITS: Limits = { messageChars: 8000, toolResultChars: 50_000, turnSeconds: 900 };

/** The policy when there is no policy file: everyone, everywhere, every tool, destructive calls approved first. */
export const DEFAULT_POLICY: Policy = {
  users: { deny: [] },
  channels: { deny: [] },
  approval: DEFAULT_APPROVAL,
  servers: new Map(),
  limits: DEFAULT_LIMITS,
};
