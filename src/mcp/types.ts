// What the rest of the bot sees of MCP. Nothing outside src/mcp/ imports the MCP SDK: the agent loop
// talks to a ToolProvider, the Slack front and /healthz read ServerStatus, and the Slack front answers
// the servers' questions (elicitation, sampling) through the plain types at the end of this file.
import type { ToolFile, ToolResultContent } from '../agent/content.js';

/** One server entry of the servers file, validated (see config.ts). */
export type ServerConfig = StdioServerConfig | RemoteServerConfig;

export interface StdioServerConfig {
  kind: 'stdio';
  name: string;
  command: string;
  args: string[];
  /** Only these variables are added to the MCP SDK's safe default environment. */
  env: Record<string, string>;
  cwd?: string;
  /** Roots for this server only; replaces McpHubOptions.roots for it. */
  roots?: Root[];
}

/**
 * How the bot signs in to a server with OAuth (the servers file's `oauth` key; every part optional).
 * authorization_code: each person signs in with their own account. client_credentials: one service
 * identity for the whole team (needs clientId and clientSecret).
 */
export interface OAuthEntry {
  clientId?: string;
  /** Never logged. */
  clientSecret?: string;
  scopes?: string[];
  grant: 'authorization_code' | 'client_credentials';
}

/**
 * A server reached over HTTP, authenticated by static headers (e.g. `Authorization: Bearer
 * ${TOKEN}`) or by OAuth (`oauth`; also a server with neither that answers 401, see hub.ts).
 */
export interface RemoteServerConfig {
  kind: 'remote';
  name: string;
  url: string;
  /** Sent with every request. Values may hold secrets: never logged. */
  headers: Record<string, string>;
  /**
   * 'http': Streamable HTTP only. 'sse': the older HTTP+SSE transport only. 'auto' (default): Streamable
   * HTTP, and SSE when the server answers the first request with a 4xx (the spec's fallback rule).
   */
  transport?: 'auto' | 'http' | 'sse';
  /** Roots for this server only; replaces McpHubOptions.roots for it. */
  roots?: Root[];
  oauth?: OAuthEntry;
}

/**
 * connecting: first start in progress. up: connected. restarting: not connected, and trying again (a
 * backoff wait or an attempt in progress). down: lost just now, before a retry is planned. failed:
 * given up (bad command, handshake failure, too many crashes); `lastError` says why.
 */
export type ServerState = 'connecting' | 'up' | 'down' | 'restarting' | 'failed';

export interface ServerStatus {
  name: string;
  /** A local process (stdio) or a server reached by URL. */
  kind: 'stdio' | 'remote';
  state: ServerState;
  /** Number of tools this server offers right now. */
  tools: number;
  /** Last error, one line, for people (no stack). */
  lastError?: string;
  restarts: number;
  /** The server's process id while a local (stdio) server is running. */
  pid?: number;
  /** How the live session is carried: 'stdio', 'http' (Streamable HTTP) or 'sse'. */
  transport?: 'stdio' | 'http' | 'sse';
  /** During a backoff wait: when the next attempt starts (ISO 8601). */
  nextAttemptAt?: string;
}

/** A tool as Claude sees it: a namespaced name that matches ^[a-zA-Z0-9_-]{1,64}$. */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
  /** Where it really lives. */
  server: string;
  tool: string;
  annotations?: {
    title?: string;
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
}

export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface ToolCallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ToolProgress) => void;
  /** Overrides the hub's default call timeout (time without a result, progress or pending question). */
  timeoutMs?: number;
  /**
   * Who the call is for (e.g. the Slack user, channel and thread). Handed back, untouched, to
   * onElicitation and onSampling when the server asks something during this call.
   */
  context?: CallContext;
}

export interface ToolCallResult {
  /** Content the Messages API accepts inside a tool_result block; never an empty text block. */
  content: ToolResultContent;
  isError: boolean;
  /** One short line for the tool note in Slack / the terminal (no full body). */
  summary: string;
  /** Images and binary resources the tool returned, as they came (convert.ts toolFiles). */
  files?: ToolFile[];
  /** The result's text as it came, uncut by any limit, for the front to post as a file when long (TOOL_TEXT_AS_FILE_CHARS). */
  text?: string;
}

/** The agent loop's view of the hub. */
export interface ToolProvider {
  /** The current catalog (namespaced names). */
  listTools(): ToolDefinition[];
  /** Runs a tool by its namespaced name. Unknown names and failures resolve with isError, they do not throw. */
  callTool(name: string, args: Record<string, unknown>, options?: ToolCallOptions): Promise<ToolCallResult>;
}

// ---- Client features: what servers may ask of the bot (all opt-in through McpHubOptions) ----

/**
 * Opaque to the hub: whatever the caller passed as ToolCallOptions.context for the tool call during
 * which a server asked its question. undefined when the question cannot be tied to one call (see hub.ts).
 */
export type CallContext = unknown;

/** A directory or other location a server may work in, as MCP roots/list reports it. */
export interface Root {
  /** A file:// URI for a directory (paths in the servers file are turned into these). */
  uri: string;
  name?: string;
}

/** Given to every hook with the request: lets a question be withdrawn when the server cancels it. */
export interface HookExtras {
  /**
   * Aborts when the server withdraws its request, the session ends, or the tool call it belongs to is
   * over (cancelled, failed): take the question back then; whatever the hook answers is dropped.
   */
  signal: AbortSignal;
}

export interface ElicitationFieldBase {
  /** The property name the answer is keyed by. */
  name: string;
  title?: string;
  description?: string;
  required: boolean;
}

export interface ChoiceOption {
  value: string;
  /** What to show; the value itself when the server gave no title. */
  label: string;
}

/** One field of a form, flattened from the restricted JSON Schema that elicitation allows. */
export type ElicitationField =
  | (ElicitationFieldBase & {
      type: 'string';
      default?: string;
      format?: 'email' | 'uri' | 'date' | 'date-time';
      minLength?: number;
      maxLength?: number;
    })
  | (ElicitationFieldBase & { type: 'number' | 'integer'; default?: number; minimum?: number; maximum?: number })
  | (ElicitationFieldBase & { type: 'boolean'; default?: boolean })
  | (ElicitationFieldBase & { type: 'enum'; options: ChoiceOption[]; default?: string })
  | (ElicitationFieldBase & { type: 'multi-enum'; options: ChoiceOption[]; default?: string[]; minItems?: number; maxItems?: number });

export type ElicitationRequest =
  | {
      mode: 'form';
      /** The server that asks. */
      server: string;
      message: string;
      /** In the server's order. */
      fields: ElicitationField[];
    }
  | {
      /** Send the person to a page (sign-in, payment, consent); the answer says whether they agreed to go. */
      mode: 'url';
      server: string;
      message: string;
      url: string;
      elicitationId: string;
    };

export type ElicitationValue = string | number | boolean | string[];

export type ElicitationResponse =
  | { action: 'accept'; content?: Record<string, ElicitationValue> }
  | { action: 'decline' | 'cancel' };

export type SamplingContent =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string };

export interface SamplingMessage {
  role: 'user' | 'assistant';
  /** Text and images as sent; other kinds (audio, tool use) arrive described as text. */
  content: SamplingContent[];
}

export interface SamplingRequest {
  server: string;
  messages: SamplingMessage[];
  systemPrompt?: string;
  maxTokens: number;
  temperature?: number;
  stopSequences?: string[];
  modelPreferences?: {
    /** Model name hints, most preferred first (e.g. "claude-3-5-sonnet"). */
    hints?: string[];
    costPriority?: number;
    speedPriority?: number;
    intelligencePriority?: number;
  };
}

export interface SamplingResponse {
  /** The reply's text. */
  text: string;
  /** The model that produced it. */
  model: string;
  /** 'endTurn', 'stopSequence', 'maxTokens', or the provider's own reason. */
  stopReason?: string;
}

export type ElicitationHandler = (
  request: ElicitationRequest,
  context: CallContext,
  extras: HookExtras,
) => Promise<ElicitationResponse>;

export type SamplingHandler = (
  request: SamplingRequest,
  context: CallContext,
  extras: HookExtras,
) => Promise<SamplingResponse>;

// ---- Prompts and resources ----

export interface PromptInfo {
  server: string;
  name: string;
  title?: string;
  description?: string;
  arguments: { name: string; description?: string; required: boolean }[];
}

export interface PromptMessage {
  role: 'user' | 'assistant';
  /** The message as text (images and binary resources described in words). */
  text: string;
  /** The same message as blocks Claude accepts (text and images). */
  content: ToolResultContent;
}

export interface PromptResult {
  description?: string;
  messages: PromptMessage[];
}

export interface ResourceInfo {
  server: string;
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** Size in bytes, when the server says. */
  size?: number;
}

export interface ResourceTemplateInfo {
  server: string;
  /** An RFC 6570 template, e.g. "file:///logs/{date}.txt". */
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface ResourceContent {
  server: string;
  uri: string;
  /** Text and image blocks, as tool results are converted, ready to attach to a question. */
  content: ToolResultContent;
  /** One short line for people. */
  summary: string;
}
