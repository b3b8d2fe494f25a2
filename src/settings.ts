// Everything `npm start` needs to know before it starts anything slow: the environment (config.ts),
// the servers file and the policy file, checked in one pass. Every problem of the three is gathered
// into one ConfigError, so a person fixes them all in one go instead of one run at a time.
import { loadConfig, serversFileSetting, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { loadServersFile, type ServerConfig } from './mcp/index.js';
import { loadPolicyFile, policyLocation, type LoadedPolicy } from './policy/index.js';
import { serversFileToRead } from './servers.js';
import { loadPrices, type PriceTable } from './spend/index.js';

/** The servers and policy files, read and checked. */
export interface BotFiles {
  servers: ServerConfig[];
  /** False when there is no servers file at the default path: the bot runs without tools. */
  serversFile: boolean;
  policy: LoadedPolicy;
  /** List prices per model: the defaults, with PRICES_FILE over them. */
  prices: PriceTable;
}

export interface BotSettings {
  config: Config;
  files: BotFiles;
}

/**
 * The Slack bot's settings. Throws one ConfigError listing every problem of the env and both files.
 * `requireSlack: false` checks all the rest, for a person who has not set Slack up yet.
 */
export function checkBotSettings(env: NodeJS.ProcessEnv, { requireSlack } = { requireSlack: true }): BotSettings {
  const problems: string[] = [];
  const config = gather(problems, () => loadConfig(env, { requireSlack, requireApiKey: true }));
  const files = gather(problems, () => checkFiles(config?.mcp ?? serversFileSetting(env), env));
  if (config && files && !config.oauth.key) problems.push(...oauthKeyProblems(files.servers));
  if (!config || !files || problems.length > 0) throw new ConfigError(problems);
  return { config, files };
}

/** Reads the servers file, the policy file and PRICES_FILE; one ConfigError with the problems of all. */
export function checkFiles(mcp: Pick<Config['mcp'], 'configPath' | 'explicit'>, env: NodeJS.ProcessEnv): BotFiles {
  const problems: string[] = [];
  const file = serversFileToRead(mcp);
  const servers = file === undefined ? [] : gather(problems, () => loadServersFile(file, env));
  // With a broken servers file its server names are unknown: the policy's rules for them are not
  // checked against it this time (the next run does, once the servers file is fixed).
  const policy = gather(problems, () => loadPolicyFile(policyLocation(env, mcp.configPath), servers?.map((s) => s.name)));
  const prices = gather(problems, () => loadPrices(env));
  if (!servers || !policy || !prices) throw new ConfigError(problems);
  return { servers, serversFile: file !== undefined, policy, prices };
}

/** Servers with an `oauth` key need TOKEN_ENCRYPTION_KEY to keep their tokens: one line naming them. */
export function oauthKeyProblems(servers: ServerConfig[]): string[] {
  const named = servers.filter((s) => s.kind === 'remote' && s.oauth).map((s) => s.name);
  if (named.length === 0) return [];
  return [`TOKEN_ENCRYPTION_KEY: not set, and the servers file has OAuth servers (${named.join(', ')}); make a key with \`openssl rand -base64 32\` and set it in the environment or .env`];
}

/** Runs `read`; a ConfigError's problems are added to `problems` and give undefined. */
function gather<T>(problems: string[], read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}
