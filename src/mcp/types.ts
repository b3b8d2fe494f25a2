// What the rest of the bot sees of MCP. Nothing outside src/mcp/ imports the MCP SDK: the agent loop
// talks to a ToolProvider, the Slack front and /healthz read ServerStatus.
import type { ToolResultContent } from '../agent/content.js';

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
}

export interface RemoteServerConfig {
  kind: 'remote';
  name: string;
  url: string;
  headers: Record<string, string>;
}

export type ServerState = 'connecting' | 'up' | 'down' | 'restarting' | 'failed';

export interface ServerStatus {
  name: string;
  state: ServerState;
  /** Number of tools this server offers right now. */
  tools: number;
  /** Last error, one line, for people (no stack). */
  lastError?: string;
  restarts: number;
  /** The server's process id while a local (stdio) server is running. */
  pid?: number;
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
  /** Overrides the hub's default call timeout. */
  timeoutMs?: number;
}

export interface ToolCallResult {
  /** Content the Messages API accepts inside a tool_result block; never an empty text block. */
  content: ToolResultContent;
  isError: boolean;
  /** One short line for the tool note in Slack / the terminal (no full body). */
  summary: string;
}

/** The agent loop's view of the hub. */
export interface ToolProvider {
  /** The current catalog (namespaced names). */
  listTools(): ToolDefinition[];
  /** Runs a tool by its namespaced name. Unknown names and failures resolve with isError, they do not throw. */
  callTool(name: string, args: Record<string, unknown>, options?: ToolCallOptions): Promise<ToolCallResult>;
}
