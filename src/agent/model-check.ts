// At start, one look at ANTHROPIC_MODEL through the Models API (GET /v1/models/{model_id},
// `client.models.retrieve`, "Get a specific model" in @anthropic-ai/sdk's resources/models.d.ts), so a model id the API
// does not serve stops the start with one line instead of failing every question later. Only the
// API's own answer "no such model" (404 with error type not_found_error) stops it: an API that cannot
// be reached, is slow, refuses the key, or a gateway without a Models API only gets a warning, and
// the bot starts (the first question then says what is wrong, in the thread).
import Anthropic from '@anthropic-ai/sdk';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';

/** Short: a start should not hang on a check; the SDK's retries would only delay the warning. */
const CHECK_TIMEOUT_MS = 10_000;

export type ModelCheck = { kind: 'ok' } | { kind: 'unknown'; problem: string } | { kind: 'unchecked'; reason: string };

export async function checkModel(client: Anthropic, model: string): Promise<ModelCheck> {
  try {
    await client.models.retrieve(model, {}, { timeout: CHECK_TIMEOUT_MS, maxRetries: 0 });
    return { kind: 'ok' };
  } catch (error) {
    if (error instanceof Anthropic.NotFoundError && error.type === 'not_found_error') {
      return {
        kind: 'unknown',
        problem:
          `ANTHROPIC_MODEL: the Anthropic API does not serve a model named "${model}" (404 not_found_error). ` +
          'Set it to a current model id (see platform.claude.com/docs/en/models), or unset it to use the default.',
      };
    }
    return { kind: 'unchecked', reason: describe(error) };
  }
}

/**
 * The start-up step: throws a ConfigError (one line, exit status 2 in the entry points) for an unknown
 * model, logs a warning when the model could not be checked, and returns otherwise.
 */
export async function requireKnownModel(client: Anthropic, model: string, logger: Logger): Promise<void> {
  const result = await checkModel(client, model);
  if (result.kind === 'unknown') throw new ConfigError([result.problem]);
  if (result.kind === 'unchecked') logger.warn('could not check ANTHROPIC_MODEL with the Models API; starting anyway', { model, reason: result.reason });
  else logger.debug('model checked', { model });
}

function describe(error: unknown): string {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return `no answer within ${CHECK_TIMEOUT_MS} ms`;
  if (error instanceof Anthropic.APIConnectionError) return 'the API could not be reached';
  if (error instanceof Anthropic.APIError) return `HTTP ${error.status ?? '?'}${error.type ? ` ${error.type}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
