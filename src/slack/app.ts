// The Bolt app: HTTP mode (signing secret, POST /slack/events) or Socket Mode (app token), the same
// listeners either way, and GET /healthz on PORT in both.
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import type { SlackConfig } from '../config.js';
import type { Logger } from '../log.js';
import { boltLogger } from './bolt-logger.js';
import { slackClientOptions } from './slack-retries.js';
import { registerActionListeners } from './listeners/actions.js';
import { registerEventListeners } from './listeners/events.js';
import { registerOverviewListeners, type OverviewDeps } from './listeners/overview.js';
import type { Approvals } from './approvals.js';
import type { Elicitations } from './elicitation.js';
import type { createAnswerer } from './answer.js';

export interface Health {
  ready: boolean;
  [key: string]: unknown;
}

export interface SlackAppDeps {
  slack: SlackConfig;
  /**
   * Who the bot is, from the start-up auth.test (slack-reach.ts). Given to Bolt so it does not run
   * its own auth.test in the constructor: that one's failure is an unhandled rejection (a crash
   * with a stack trace) and, when Slack was briefly away, a failure remembered for good.
   */
  identity: { botUserId: string; botId: string };
  port: number;
  logger: Logger;
  logLevel: LogLevel;
  answerer: ReturnType<typeof createAnswerer>;
  feedbackActionId: string;
  health: () => Health | Promise<Health>;
  overview: OverviewDeps;
  approvals?: Approvals;
  elicitations?: Elicitations;
}

export interface SlackFront {
  app: App;
  /** Starts taking events; resolves with the port /healthz (and /slack/events) listen on. */
  start(): Promise<number>;
  /** Stops taking events. */
  stop(): Promise<void>;
}

export function createSlackApp(deps: SlackAppDeps): SlackFront {
  const { slack, logger } = deps;
  const healthRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: ServerResponse) => {
      void Promise.resolve(deps.health()).then(
        (health) => {
          res.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(health));
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ready: false, error: error instanceof Error ? error.message : String(error) }));
        },
      );
    },
  };
  const common = {
    token: slack.botToken,
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    tokenVerificationEnabled: false,
    logger: boltLogger(logger.child({ source: 'bolt' }), deps.logLevel),
    customRoutes: [healthRoute],
    // No blind resends of posts: 429s are retried after Retry-After, idempotent calls resent (slack-retries.ts).
    clientOptions: slackClientOptions(slack.apiUrl),
  };
  const socketMode = slack.appToken !== undefined;
  const app = socketMode
    ? new App({ ...common, socketMode: true, appToken: slack.appToken, installerOptions: { port: deps.port } })
    : new App({ ...common, signingSecret: slack.signingSecret, port: deps.port, processBeforeResponse: false });

  registerEventListeners(app, { answerer: deps.answerer, logger });
  registerActionListeners(app, { feedbackActionId: deps.feedbackActionId, logger });
  registerOverviewListeners(app, deps.overview);
  deps.approvals?.register(app);
  deps.elicitations?.register(app);
  app.error((error) => {
    logger.error('bolt listener error', { error: error.message });
    return Promise.resolve();
  });

  return {
    app,
    async start() {
      const started: unknown = socketMode ? await app.start() : await app.start(deps.port);
      const port = listeningPort(started) ?? deps.port;
      logger.info('slack front started', { mode: socketMode ? 'socket' : 'http', port });
      return port;
    },
    async stop() {
      await app.stop();
    },
  };
}

function listeningPort(started: unknown): number | undefined {
  if (started && typeof started === 'object' && 'address' in started && typeof started.address === 'function') {
    const address = (started as { address(): AddressInfo | string | null }).address();
    if (address && typeof address === 'object') return address.port;
  }
  return undefined;
}

export { LogLevel };
