// `npm start`: configuration -> store -> MCP hub -> Slack app (wired in bot.ts); then signals and
// shutdown. Configuration problems are printed one per line, without a stack, and exit with 2.
import dotenv from 'dotenv';
import { createAnthropicClient } from './agent/anthropic-client.js';
import { requireKnownModel } from './agent/model-check.js';
import { loadConfig, secretsOf, type Config } from './config.js';
import { startBot } from './bot.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';

const SHUTDOWN_GRACE_MS = 10_000;

const NO_SLACK_HELP = `This bot needs a Slack app to run. To create one:
  1. api.slack.com/apps -> Create New App -> From a manifest -> paste manifest.yml from this repository.
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-...) into SLACK_BOT_TOKEN.
  3. Socket Mode: under "Basic Information" create an app-level token with connections:write and put
     it (xapp-...) in SLACK_APP_TOKEN. HTTP mode: put the Signing Secret in SLACK_SIGNING_SECRET.
  4. Set ANTHROPIC_API_KEY, then run npm start again. See README.md, "Set up in Slack".
To try the engine without Slack, run: npm run chat -- path/to/server.js`;

async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    if (!process.env.SLACK_BOT_TOKEN && !process.env.SLACK_APP_TOKEN && !process.env.SLACK_SIGNING_SECRET) {
      process.stderr.write(NO_SLACK_HELP + '\n');
      return 2;
    }
    config = loadConfig(process.env, { requireSlack: true });
    if (!config.anthropic.apiKey) {
      throw new ConfigError(['ANTHROPIC_API_KEY: not set. Create a key in the Anthropic console and set it in the environment or .env.']);
    }
  } catch (error) {
    return reportStartError(error);
  }

  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  let bot: Awaited<ReturnType<typeof startBot>>;
  try {
    // Before anything slow: an ANTHROPIC_MODEL the API does not serve stops the start (exit 2).
    await requireKnownModel(createAnthropicClient(config.anthropic), config.anthropic.model, logger);
    bot = await startBot(config, { logger, env: process.env });
  } catch (error) {
    return reportStartError(error);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      bot
        .stop(SHUTDOWN_GRACE_MS)
        .then(() => resolve(0))
        .catch((error: unknown) => {
          logger.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
          resolve(1);
        });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function reportStartError(error: unknown): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`config: ${problem}\n`);
  } else {
    process.stderr.write(`could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return 2;
}

process.exitCode = await main();
// Anything still holding the event loop (a socket Bolt keeps, a timer) must not keep us from exiting.
setTimeout(() => process.exit(process.exitCode), 200).unref();
