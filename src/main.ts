// `npm start`: signals -> settings (env, servers file, policy file: every problem at once) -> the
// start-up checks -> the bot (bot.ts: Slack, store, MCP hub, Slack app) -> wait for a signal -> stop.
// Configuration problems are printed one per line, without a stack, and exit with 2. A SIGTERM or
// SIGINT at any point, also while the bot starts, stops it cleanly and exits 0.
import dotenv from 'dotenv';
import { secretsOf } from './config.js';
import type { BotHandle } from './bot.js';
import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { checkBotSettings, type BotSettings } from './settings.js';
import { createPhaseClock } from './process/phase-clock.js';
import { followPrimary, tellReady, tellStorageOpen, workerSlotFrom } from './process/worker.js';

const SHUTDOWN_GRACE_MS = 10_000;

const NO_SLACK_HELP = `This bot needs a Slack app to run. To create one:
  1. api.slack.com/apps -> Create New App -> From a manifest -> paste manifest.yml from this repository.
  2. Install it to your workspace; copy the Bot User OAuth Token (xoxb-...) into SLACK_BOT_TOKEN.
  3. Socket Mode: under "Basic Information" create an app-level token with connections:write and put
     it (xapp-...) in SLACK_APP_TOKEN. HTTP mode: put the Signing Secret in SLACK_SIGNING_SECRET.
  4. Set ANTHROPIC_API_KEY, then run npm start again. See README.md, "Set up in Slack".
To try the engine without Slack, run: npm run chat -- path/to/server.js`;

async function main(): Promise<number> {
  // First of all, so that a stop during start-up is a clean stop and not a kill.
  const stop = listenForStop();
  dotenv.config({ quiet: true });
  if (!process.env.SLACK_BOT_TOKEN && !process.env.SLACK_APP_TOKEN && !process.env.SLACK_SIGNING_SECRET) {
    process.stderr.write(NO_SLACK_HELP + '\n');
    // The other settings' problems too, so the next run does not stop on them.
    try {
      checkBotSettings(process.env, { requireSlack: false });
    } catch (error) {
      reportStartError(error);
    }
    return 2;
  }
  let settings: BotSettings;
  try {
    settings = checkBotSettings(process.env);
  } catch (error) {
    return reportStartError(error);
  }
  const { config } = settings;
  const slot = workerSlotFrom(process.env);
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) }, slot ? { worker: slot.index } : {});
  // Everything main.ts imports is loaded and the settings are checked by now (see scripts/bundle.mjs).
  createPhaseClock(logger, 'start-up').mark('modules loaded, settings checked');

  if (slot) followPrimary(() => stop.request('SIGTERM'));
  else if (config.workers > 1) {
    // Socket Mode: Slack spreads a socket app's events over its connections at random, so a thread's
    // events could not be kept in one worker; it runs as one process (README, "Both cores").
    if (config.slack?.appToken) logger.warn('WORKERS is for HTTP mode; Socket Mode runs as one process', { workers: config.workers });
    else {
      const { runPrimary } = await import('./process/primary.js');
      return runPrimary({ count: config.workers, port: config.port, logger: logger.child({ room: 'process' }), stop: stop.signal });
    }
  }

  // Loaded here, not at the top: a primary (above) runs none of it (scripts/bundle.mjs splits them off).
  const [{ startBot }, { requireKnownModel }, { createAnthropicClient }] = await Promise.all([
    import('./bot.js'),
    import('./agent/model-check.js'),
    import('./agent/anthropic-client.js'),
  ]);
  let bot: BotHandle;
  try {
    // The model check runs beside the start (bot.ts starts what it can at once): an ANTHROPIC_MODEL
    // the API does not serve stops it (a ConfigError: exit 2), and what had started is closed.
    const modelCheck = requireKnownModel(createAnthropicClient(config.anthropic), config.anthropic.model, logger);
    // startBot reads its outcome; this only keeps a start that fails before it does from also
    // reporting the check as an unhandled rejection.
    modelCheck.catch(() => undefined);
    // A worker listens on a private port of its own; the primary passes requests on to it.
    bot = await startBot(slot ? { ...config, port: 0 } : config, { logger, env: process.env, files: settings.files, signal: stop.signal, checks: [modelCheck], worker: slot, ...(slot?.index === 0 ? { onStorageOpen: tellStorageOpen } : {}) });
  } catch (error) {
    if (stop.signal.aborted) return stoppedDuringStart(logger, stop.requested());
    return reportStartError(error);
  }

  if (slot) tellReady(bot.port);
  const signal = await stop.received;
  logger.info('stopping', { signal });
  try {
    await bot.stop(SHUTDOWN_GRACE_MS);
    return 0;
  } catch (error) {
    logger.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
    return 1;
  }
}

interface StopListener {
  /** Aborted at the first SIGTERM or SIGINT. */
  signal: AbortSignal;
  /** Resolves with that signal. */
  received: Promise<NodeJS.Signals>;
  requested(): NodeJS.Signals | undefined;
  /** Stops as that signal would (a worker told to stop by its primary); later calls do nothing. */
  request(signal: NodeJS.Signals): void;
}

/** The first SIGTERM or SIGINT asks for a clean stop; a second one is Node's default (exit at once). */
function listenForStop(): StopListener {
  const controller = new AbortController();
  let which: NodeJS.Signals | undefined;
  let resolveReceived: (signal: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveReceived = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    if (which) return;
    which = signal;
    controller.abort(new Error(`stopped by ${signal} during start-up`));
    resolveReceived(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, received, requested: () => which, request: onSignal };
}

function stoppedDuringStart(logger: Logger, signal: NodeJS.Signals | undefined): number {
  logger.info('stopped during start-up', { signal });
  return 0;
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
