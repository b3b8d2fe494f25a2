// The fake's token count (count_tokens, and usage when a script gives none): about 4 characters a
// token over every string the model would read, an image about 1600. Close, not exact; the real
// tokenizer is not public.
const IMAGE_TOKENS = 1600;

export function countTokens(value: unknown): number {
  if (typeof value === 'string') return Math.ceil(value.length / 4);
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countTokens(item), 0);
  if (typeof value !== 'object' || value === null) return 0;
  const record = value as Record<string, unknown>;
  if (record.type === 'image') return IMAGE_TOKENS;
  let sum = 0;
  for (const [key, inner] of Object.entries(record)) {
    if (key === 'type' || key === 'cache_control' || key === 'id' || key === 'tool_use_id') continue;
    sum += key === 'input' || key === 'input_schema' ? countTokens(JSON.stringify(inner)) : countTokens(inner);
  }
  return sum;
}

/** Tokens of the request's prompt: system, tools and messages. */
export function countRequestTokens(body: Record<string, unknown>): number {
  return Math.max(1, countTokens(body.system) + countTokens(body.tools) + countTokens(body.messages));
}
