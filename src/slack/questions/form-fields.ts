// What a server's form field may say, narrowed to what Slack's input elements accept. An MCP schema
// can ask for things Block Kit refuses with invalid_blocks (and then the question never reaches the
// person): texts over 3,000 characters, a minimum above the maximum, 1e+21 as a bound, a fractional
// bound for a whole number, a date default with a time. The server still checks the answer against
// its own schema, so narrowing here never lets a wrong answer through.
//
// Limits from docs.slack.dev/reference/block-kit/block-elements: plain-text input (min_length and
// max_length at most 3000, min <= max), number input (numbers as strings, whole numbers when
// is_decimal_allowed is false, min_value <= initial_value <= max_value), date picker (YYYY-MM-DD),
// and blocks (block_id at most 255 characters).

/** Slack's longest text input. */
const MAX_TEXT_INPUT = 3000;
const MAX_BLOCK_ID = 255;

export interface TextInputLimits {
  min_length?: number;
  max_length?: number;
  initial_value?: string;
}

export function textInputLimits(field: { minLength?: number; maxLength?: number; default?: string }): TextInputLimits {
  const max = field.maxLength === undefined ? undefined : Math.max(1, Math.min(field.maxLength, MAX_TEXT_INPUT));
  const min = field.minLength === undefined ? undefined : Math.max(0, Math.min(field.minLength, max ?? MAX_TEXT_INPUT));
  const out: TextInputLimits = {};
  if (min !== undefined) out.min_length = min;
  if (max !== undefined) out.max_length = max;
  if (field.default !== undefined) out.initial_value = field.default.slice(0, max ?? MAX_TEXT_INPUT);
  return out;
}

export interface NumberInputLimits {
  min_value?: string;
  max_value?: string;
  initial_value?: string;
}

export function numberInputLimits(field: { type: 'number' | 'integer'; minimum?: number; maximum?: number; default?: number }): NumberInputLimits {
  const whole = field.type === 'integer';
  let min = whole && field.minimum !== undefined ? Math.ceil(field.minimum) : field.minimum;
  let max = whole && field.maximum !== undefined ? Math.floor(field.maximum) : field.maximum;
  // Bounds the wrong way round are the server's mistake: leave them to its own check of the answer.
  if (min !== undefined && max !== undefined && min > max) [min, max] = [undefined, undefined];
  const initial = field.default;
  const fits = initial !== undefined && (!whole || Number.isInteger(initial)) && (min === undefined || initial >= min) && (max === undefined || initial <= max);
  const out: NumberInputLimits = {};
  if (min !== undefined) out.min_value = plainNumber(min);
  if (max !== undefined) out.max_value = plainNumber(max);
  if (fits) out.initial_value = plainNumber(initial);
  return out;
}

/** The date of a default ("2026-11-29" or "2026-11-29T10:00:00Z"), as the date picker takes it. */
export function dateDefault(value: string | undefined): string | undefined {
  return value === undefined ? undefined : /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value)?.[1];
}

/** Block ids of form fields: the field's name, or its place in the form when the name is too long. */
const FIELD_BLOCK = 'elicit_field_';
const PLACE_BLOCK = 'elicit_place_';

export function fieldBlockId(name: string, index: number): string {
  const named = FIELD_BLOCK + name;
  return named.length <= MAX_BLOCK_ID ? named : `${PLACE_BLOCK}${index}`;
}

/** A number as Slack's number input reads it: digits, never exponent notation. */
function plainNumber(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  const text = String(n);
  return /e/i.test(text) ? n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : text;
}
