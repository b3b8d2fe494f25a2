// The engine both fronts share: store, MCP hub, Claude client, agent and conversations, built from
// one Config. `npm start` puts Slack in front of it (bot.ts), `npm run chat` a terminal (cli/).
import { createAnthropicClient } from './agent/anthropic-client.js';
import { createAgent, createConversations, type Conversations } from './agent/index.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { createSampler, type Sampler } from './agent/sampler.js';
import { McpHub, type ElicitationHandler, type SamplingHandler, type ServerConfig } from './mcp/index.js';
import { openStore, type Store } from './store.js';
import type { Telemetry } from './observe/telemetry.js';
import { hubOAuthSettings } from './oauth/settings.js';

export interface Engine {
  store: Store;
  hub: McpHub;
  conversations: Conversations;
  /** Answers a server's sampling request with Claude (after the front has asked the person). */
  sampler: Sampler;
  close(): Promise<void>;
}

/**
 * How the front answers servers' questions. Looked up at the moment a server asks (the front is
 * built after the engine); a front that answers none leaves these undefined, and the hub then does
 * not offer those capabilities to servers at all.
 */
export interface ServerQuestions {
  elicitation?: ElicitationHandler;
  sampling?: SamplingHandler;
}

export interface EngineOptions {
  storeUrl?: string;
  /**
   * The store, already being opened by the caller (who orders other openings of the same file after
   * it); the engine owns it from here and closes it if the start fails. Default: opened here.
   */
  store?: Promise<Store>;
  /** Set by the Slack front once it exists; the terminal chat answers no server questions. */
  questions?: () => ServerQuestions;
  /** Aborted when the process is stopped while the engine starts: the servers are closed, and startEngine rejects. */
  signal?: AbortSignal;
  /** Metrics and spans of model and tool calls (src/observe/); the terminal chat has none. */
  telemetry?: Telemetry;
}

export async function startEngine(config: Config, servers: ServerConfig[], logger: Logger, options: EngineOptions = {}): Promise<Engine> {
  const questions = options.questions;
  // The store opens while the servers start (they do not depend on each other); if one fails, the
  // other is closed again.
  const storeOpening = options.store ?? openStore(options.storeUrl ?? config.store.url);
  const { key } = config.oauth;
  const [opened, started] = await Promise.allSettled([
    storeOpening,
    McpHub.start(servers, {
      // Each person's OAuth tokens, sealed in the store (src/oauth/); only with TOKEN_ENCRYPTION_KEY.
      ...(key ? { oauth: hubOAuthSettings(config.oauth.publicUrl, key, storeOpening) } : {}),
      logger: logger.child({ room: 'mcp' }),
      callTimeoutMs: config.mcp.callTimeoutMs,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      ...(config.mcp.roots.length > 0
        ? { roots: config.mcp.roots.map((dir) => ({ uri: pathToFileURL(path.resolve(dir)).href, name: path.basename(path.resolve(dir)) })) }
        : {}),
      ...(questions
        ? {
            onElicitation: (request, context, extras) => {
              const handler = questions().elicitation;
              return handler ? handler(request, context, extras) : Promise.resolve({ action: 'decline' as const });
            },
            onSampling: (request, context, extras) => {
              const handler = questions().sampling;
              if (!handler) throw new Error('This bot does not take sampling requests here.');
              return handler(request, context, extras);
            },
          }
        : {}),
    }, options.signal),
  ]);
  if (opened.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.close();
    throw opened.reason;
  }
  const store = opened.value;
  if (started.status === 'rejected') {
    await store.disconnect();
    throw started.reason;
  }
  const hub = started.value;
  const client = createAnthropicClient(config.anthropic);
  const agent = createAgent({
    client,
    tools: hub,
    model: config.anthropic.model,
    maxTokens: config.anthropic.maxTokens,
    system: config.anthropic.system,
    maxRounds: config.agent.maxRounds,
    historyBudgetTokens: config.agent.historyBudgetTokens,
    maxStoredBytes: config.agent.maxStoredBytes,
    streamIdleTimeoutMs: config.anthropic.timeoutMs,
    logger: logger.child({ room: 'agent' }),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  });
  const conversations = createConversations({ store, agent, ttlMs: config.store.ttlMs, logger: logger.child({ room: 'conversations' }), ...(options.telemetry ? { telemetry: options.telemetry } : {}) });
  const sampler = createSampler({ client, model: config.anthropic.model, maxTokensCap: config.mcp.samplingMaxTokens, logger: logger.child({ room: 'sampling' }), ...(options.telemetry ? { telemetry: options.telemetry } : {}) });
  return {
    store,
    hub,
    conversations,
    sampler,
    async close() {
      // In parallel: the servers' exits (the slowest part of a stop) and the store's close.
      await Promise.all([hub.close(), store.disconnect()]);
    },
  };
}
