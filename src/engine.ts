// The engine both fronts share: store, MCP hub, Claude client, agent and conversations, built from
// one Config. `npm start` puts Slack in front of it (bot.ts), `npm run chat` a terminal (cli/).
import Anthropic from '@anthropic-ai/sdk';
import { createAgent, createConversations, type Conversations } from './agent/index.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { McpHub, type ServerConfig } from './mcp/index.js';
import { openStore, type Store } from './store.js';

export interface Engine {
  store: Store;
  hub: McpHub;
  conversations: Conversations;
  close(): Promise<void>;
}

export async function startEngine(config: Config, servers: ServerConfig[], logger: Logger, storeUrl = config.store.url): Promise<Engine> {
  const store = await openStore(storeUrl);
  let hub: McpHub;
  try {
    hub = await McpHub.start(servers, { logger: logger.child({ room: 'mcp' }), callTimeoutMs: config.mcp.callTimeoutMs });
  } catch (error) {
    await store.disconnect();
    throw error;
  }
  const client = new Anthropic({
    apiKey: config.anthropic.apiKey,
    baseURL: config.anthropic.baseURL,
    maxRetries: config.anthropic.maxRetries,
  });
  const agent = createAgent({
    client,
    tools: hub,
    model: config.anthropic.model,
    maxTokens: config.anthropic.maxTokens,
    system: config.anthropic.system,
    maxRounds: config.agent.maxRounds,
    historyBudgetTokens: config.agent.historyBudgetTokens,
    logger: logger.child({ room: 'agent' }),
  });
  const conversations = createConversations({ store, agent, ttlMs: config.store.ttlMs, logger: logger.child({ room: 'conversations' }) });
  return {
    store,
    hub,
    conversations,
    async close() {
      await hub.close();
      await store.disconnect();
    },
  };
}
