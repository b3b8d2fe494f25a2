// The models the fake serves, and their rules. Model ids are the `Model` type of @anthropic-ai/sdk
// 1.14.0 (node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts, generated from Anthropic's
// OpenAPI spec), which matches the models overview at platform.claude.com/docs/en/models (checked
// 2026-11-29: Fable 5.1, Opus 5.5, Sonnet 5.5 `claude-sonnet-5-5`, Haiku 4.5 current; Sonnet 5 legacy).
// Any other id is answered 404 not_found_error, as the real API does ({"type":"not_found_error",
// "message":"model: <id>"}, the body seen in anthropics/claude-code#5349).
import type Anthropic from '@anthropic-ai/sdk';

/**
 * From Claude Opus 4.7 on (Opus 4.7+, Sonnet 5+, Haiku 5.5, Fable, Mythos), a non-default
 * temperature, top_p or top_k is a 400 even under API version 2023-06-01: "sampling parameters
 * (temperature, top_p, top_k) set to non-default values return a 400 error"
 * (platform.claude.com/docs/models/sonnet-5/migration-guide; the same in
 * docs/en/models/sonnet-5-5/migration-guide). Under API version 2026-10-21, the one SDK 1.x sends,
 * the three fields are gone for every model (platform.claude.com/docs/en/api/migration-2026-10-21).
 */
const REFUSE_SAMPLING_PARAMS = [
  'claude-fable-5-2',
  'claude-mythos-5-2',
  'claude-haiku-5-5',
  'claude-sonnet-5-5',
  'claude-fable-5-1',
  'claude-opus-5-5',
  'claude-mythos-5-1',
  'claude-sonnet-5',
  'claude-fable-5',
  'claude-mythos-5',
  'claude-opus-5',
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-mythos-preview',
];

/** Earlier models, which still take a non-default value under API version 2023-06-01. */
const TAKE_SAMPLING_PARAMS = [
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-5',
  'claude-opus-4-5-20251101',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
];

/** Newest first, as GET /v1/models lists them. */
export const KNOWN_MODELS: readonly string[] = [...REFUSE_SAMPLING_PARAMS, ...TAKE_SAMPLING_PARAMS];

/** The API's defaults: a request may carry these even to a model that rejects sampling parameters. */
export const SAMPLING_DEFAULTS: Readonly<Record<'temperature' | 'top_p' | 'top_k', number>> = { temperature: 1, top_p: 1, top_k: 0 };

/**
 * Models that refuse a forced tool_choice ("any" or "tool") and thinking that is "disabled" or has a
 * budget ("enabled"): "[the request] leaves out five settings that return a 400 error: thinking
 * budgets, sampling parameters, assistant prefill, forced tool choice, and thinking: {"type":
 * "disabled"}" (platform.claude.com/docs/en/models/sonnet-5-5/migration-guide). Only the model that
 * page documents. Prefill is not enforced: the API's own pause_turn continuation also ends with an
 * assistant message, and whether Sonnet 5.5 takes that is not documented where we looked.
 */
const SONNET_5_5_RULES = new Set(['claude-sonnet-5-5']);

export function refusesForcedToolsAndThinkingOff(id: string): boolean {
  return SONNET_5_5_RULES.has(id);
}

export function isKnownModel(id: string): boolean {
  return KNOWN_MODELS.includes(id);
}

export function takesSamplingParams(id: string): boolean {
  return TAKE_SAMPLING_PARAMS.includes(id);
}

/** GET /v1/models/{model_id}: the ModelInfo fields the SDK's type declares (the fake's dates are placeholders). */
export function modelInfo(id: string): Anthropic.ModelInfo {
  return {
    id,
    type: 'model',
    display_name: displayName(id),
    created_at: '2026-01-01T00:00:00Z',
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: null,
    max_input_tokens: null,
    max_tokens: null,
    retires_at: null,
  };
}

/** "claude-sonnet-5-5" -> "Claude Sonnet 5.5" (dated snapshots keep their date out of the name). */
function displayName(id: string): string {
  const [, family = '', ...version] = id.replace(/-\d{8}$/, '').split('-');
  return `Claude ${family.charAt(0).toUpperCase()}${family.slice(1)} ${version.join('.')}`.trim();
}
