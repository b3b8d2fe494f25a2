// The one place the bot makes its Anthropic client, so the start-up model check and the engine
// talk to Claude with the same key, base URL, retries and timeout.
import Anthropic from '@anthropic-ai/sdk';
import { createPool, type Pool } from '../http-pool.js';

export interface AnthropicSettings {
  apiKey?: string;
  /** ANTHROPIC_BASE_URL; the SDK reads the variable itself when this is undefined. */
  baseURL?: string;
  maxRetries: number;
  /** Longest wait for a response to start, per attempt. */
  timeoutMs: number;
}

/** `pool`: the keep-alive connections to the API (http-pool.ts), one pool per client by default. */
export function createAnthropicClient(settings: AnthropicSettings, pool: Pool = createPool()): Anthropic {
  return new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    maxRetries: settings.maxRetries,
    // The SDK takes any fetch (ClientOptions.fetch in node_modules/@anthropic-ai/sdk/client.d.ts).
    fetch: pool.fetch,
    // The SDK's timeout covers the wait for a response to start (each attempt); the agent's idle
    // timeout covers a stream that goes silent once started. One setting for both.
    timeout: settings.timeoutMs,
  });
}
