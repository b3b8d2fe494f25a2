// One streamed Claude call through the SDK (which retries 429/5xx/connection errors before the stream
// starts). Text is handed on as it arrives. The SDK's timeout covers only the wait for the response
// headers, so once the stream is open an idle timer guards against a connection that goes silent.
import type Anthropic from '@anthropic-ai/sdk';
import { StreamStalledError, TurnAbortedError } from './model-errors.js';

export interface ModelCallOptions {
  onText: (delta: string) => void;
  signal?: AbortSignal;
  /** Longest silence allowed between two stream events once the response has started. */
  idleTimeoutMs: number;
}

export async function streamModelCall(
  client: Anthropic,
  params: Anthropic.MessageCreateParamsNonStreaming,
  options: ModelCallOptions,
): Promise<Anthropic.Message> {
  if (options.signal?.aborted) throw new TurnAbortedError();
  const stream = client.messages.stream(params, options.signal ? { signal: options.signal } : undefined);
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      stream.abort();
    }, options.idleTimeoutMs);
  };
  stream.on('connect', arm);
  stream.on('streamEvent', arm);
  stream.on('text', (delta) => options.onText(delta));
  try {
    return await stream.finalMessage();
  } catch (error) {
    if (stalled) throw new StreamStalledError(options.idleTimeoutMs);
    if (options.signal?.aborted) throw new TurnAbortedError();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
