// Which MCP servers to start: a script path (the tutorial's shorthand), the servers file named by
// MCP_CONFIG, or ./mcp.json when it exists. No file at the default path means no servers (the bot
// still answers, without tools); a file named explicitly that is missing is an error.
import { existsSync } from 'node:fs';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { loadServersFile, serverFromScript, type ServerConfig } from './mcp/index.js';

type ServersFileSetting = Pick<Config['mcp'], 'configPath' | 'explicit'>;

/** The servers file to read, or undefined when there is none at the default path (no tools). */
export function serversFileToRead(mcp: ServersFileSetting): string | undefined {
  return !mcp.explicit && !existsSync(mcp.configPath) ? undefined : mcp.configPath;
}

export function warnNoServersFile(mcp: ServersFileSetting, logger: Logger): void {
  logger.warn('no servers file; running without tools', { file: mcp.configPath, hint: 'copy mcp.example.json to mcp.json' });
}

export function resolveServers(
  mcp: Config['mcp'],
  env: NodeJS.ProcessEnv,
  logger: Logger,
  script?: string,
): ServerConfig[] {
  if (script) return [serverFromScript(script)];
  const file = serversFileToRead(mcp);
  if (file === undefined) {
    warnNoServersFile(mcp, logger);
    return [];
  }
  return loadServersFile(file, env);
}
