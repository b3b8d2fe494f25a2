// The Bolt app: HTTP mode (signing secret, POST /slack/events) or Socket Mode (app token), the same
// listeners either way, and GET /healthz on PORT in both.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { SlackConfig } from '../config.js';
import type { Logger } from '../log.js';
import { boltLogger } from './web/bolt-logger.js';
import { slackClientOptions } from './web/slack-retries.js';
import { registerActionListeners } from './listeners/actions.js';
import { createEventIntake } from './listeners/events.js';
import { registerOverviewListeners, type OverviewDeps } from './home/listeners.js';
import type { Approvals } from './questions/approvals.js';
import type { Elicitations } from './questions/elicitation.js';
import type { Answerer } from './answer.js';
import { ackAfterIntake } from './intake/deferred-ack.js';
import { CONNECT_ACTION } from './oauth/connect.js';
import type { AcksInFlight } from '../intake/acks-in-flight.js';
import { noTelemetry, type Telemetry } from '../observe/telemetry.js';
import { observeSlackCalls } from '../observe/slack-calls.js';

export interface Health {
  ready: boolean;
  [key: string]: unknown;
}

export interface SlackAppDeps {
  slack: SlackConfig;
  /**
   * Who the bot is, from the start-up auth.test (web/slack-reach.ts). Given to Bolt so it does not run
   * its own auth.test in the constructor: that one's failure is an unhandled rejection (a crash
   * with a stack trace) and, when Slack was briefly away, a failure remembered for good.
   */
  identity: { botUserId: string; botId: string };
  port: number;
  logger: Logger;
  logLevel: LogLevel;
  answerer: Answerer;
  feedbackActionId: string;
  health: () => Health | Promise<Health>;
  /** Counts the acks held until their question is in the inbox (the workers wait for them). */
  acks?: AcksInFlight;
  overview: OverviewDeps;
  approvals?: Approvals;
  elicitations?: Elicitations;
  /** Counts Slack calls and acks, and traces Slack calls (src/observe/); default none. */
  telemetry?: Telemetry;
  /** More GET routes on PORT beside /healthz (GET /metrics, src/observe/endpoint.ts; the OAuth callback, src/oauth/routes.ts). */
  routes?: { path: string; method: string[]; handler: (req: IncomingMessage, res: ServerResponse) => void }[];
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
  const boltLog = boltLogger(logger.child({ source: 'bolt' }), deps.logLevel);
  // No blind resends of posts: 429s are retried after Retry-After, idempotent calls resent (web/slack-retries.ts).
  const telemetry = deps.telemetry ?? noTelemetry;
  const clientOptions = observeSlackCalls(slackClientOptions(slack.apiUrl), telemetry);
  const customRoutes = [healthRoute, ...(deps.routes ?? [])];
  const socketMode = slack.appToken !== undefined;
  // The receivers Bolt would build itself, wrapped so that a question's ack waits for its append
  // to the inbox (intake/deferred-ack.ts says why this and not processBeforeResponse).
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: slack.appToken ?? '', logger: boltLog, customRoutes, installerOptions: { port: deps.port, clientOptions } }) // clientOptions: where apps.connections.open goes, as Bolt passes them
    : new HTTPReceiver({ signingSecret: slack.signingSecret ?? '', port: deps.port, customRoutes, logger: boltLog, processBeforeResponse: false });
  const app: App = new App({
    token: slack.botToken,
    // Who the bot is comes from the start-up check (web/slack-check.ts), so Bolt makes no auth.test of its own.
    botId: deps.identity.botId,
    botUserId: deps.identity.botUserId,
    tokenVerificationEnabled: false,
    logger: boltLog,
    clientOptions,
    // app_mention and message events go from the receiver straight to the intake (intake/deferred-ack.ts).
    receiver: ackAfterIntake(receiver, {
      acks: deps.acks,
      ...(deps.telemetry ? { onAcked: (seconds: number) => telemetry.ack(seconds) } : {}),
      intake: createEventIntake({ answerer: deps.answerer, logger, botUserId: deps.identity.botUserId, client: (): App['client'] => app.client }),
    }),
  });

  registerActionListeners(app, { feedbackActionId: deps.feedbackActionId, logger });
  // A Connect button is a link; Slack still sends its click, which only needs an ack.
  app.action(new RegExp(`^${CONNECT_ACTION}:`), async ({ ack }) => ack());
  registerOverviewListeners(app, deps.overview);
  deps.approvals?.register(app);
  deps.elicitations?.register(app);
  // Questions never reach Bolt's listeners (intake/deferred-ack.ts), so an unreachable inbox is not seen here.
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
