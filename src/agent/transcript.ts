// Transcript invariants as pure functions: check (see transcript-rules.ts), extend without breaking,
// cut an invalid tail, and trim the oldest whole turns to a token budget. Nothing here mutates its
// input; every function returns a new array that shares the untouched messages.
import type Anthropic from '@anthropic-ai/sdk';
import { estimateMessageTokens, type TokenEstimate } from './tokens.js';
import { validate } from './transcript-rules.js';
import type { Message, Transcript } from './types.js';

export { validate, type TranscriptProblem, type ValidationResult } from './transcript-rules.js';

type Block = Anthropic.ContentBlockParam;

/** A message's content as blocks (the API's string shorthand is one text block). */
export function blocksOf(message: Message): Block[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

export function isValid(transcript: readonly unknown[]): transcript is Transcript {
  return validate(transcript).ok;
}

/**
 * Appends user content. If the transcript already ends with a user message (tool_results left by a
 * turn that failed, or a question that got no answer), the content is merged into it, so roles keep
 * alternating and those tool_results stay first. Blank text is dropped: the API refuses it.
 */
export function appendUserMessage(transcript: Transcript, content: string | Block[]): Transcript {
  const added = (typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content).filter(
    (block) => block.type !== 'text' || block.text.trim() !== '',
  );
  const last = transcript.at(-1);
  if (last?.role === 'user') {
    return [...transcript.slice(0, -1), { role: 'user', content: [...blocksOf(last), ...added] }];
  }
  if (added.length === 0) throw new Error('a user message needs some non-blank content');
  return [...transcript, { role: 'user', content: added }];
}

/**
 * The longest prefix that is valid: cuts at the first message with a problem, so an incomplete tail
 * (a tool_use stored without its tool_result, a half-written message) is never kept.
 */
export function validPrefix(transcript: readonly unknown[]): Transcript {
  let current = transcript;
  for (;;) {
    const result = validate(current);
    if (result.ok) return current as Transcript;
    const cut = result.problems[0]?.index ?? 0;
    current = current.slice(0, cut);
  }
}

/**
 * Where turns start: a user message that carries no tool_result. Everything up to the next start
 * (assistant tool_use, user tool_results, ...) belongs to that turn, so cutting at a start never
 * separates a tool_use from its tool_result.
 */
export function turnStarts(transcript: Transcript): number[] {
  const starts: number[] = [];
  transcript.forEach((message, index) => {
    if (message.role === 'user' && !blocksOf(message).some((block) => block.type === 'tool_result')) starts.push(index);
  });
  return starts;
}

/**
 * Drops the oldest whole turns until the estimate fits the budget. The latest turn is always kept,
 * even when it alone is over budget, and the result always starts at a turn start (a user message).
 *
 * `step`: the cut is made only at every step-th turn (counted from the start of the transcript)
 * where one fits. The start of what is sent then stays put for several turns instead of moving one
 * turn further at every call, so the prompt cache keeps matching the conversation's prefix; the
 * price is up to step - 1 turns fewer than would fit.
 */
export function trimToBudget(transcript: Transcript, budgetTokens: number, estimate: TokenEstimate = estimateMessageTokens, step = 1): Transcript {
  const starts = turnStarts(transcript);
  if (starts.length === 0) return transcript;
  const sizes = transcript.map((message) => estimate(message));
  // suffix[i] = tokens of transcript[i..]
  const suffix = new Array<number>(transcript.length + 1).fill(0);
  for (let i = transcript.length - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] ?? 0) + (sizes[i] ?? 0);
  const fits = (start: number) => (suffix[start] ?? 0) <= budgetTokens;
  const from =
    starts.find((start, turn) => turn % step === 0 && fits(start)) ?? starts.find(fits) ?? starts[starts.length - 1] ?? 0;
  return from === 0 ? transcript : transcript.slice(from);
}

/**
 * What is sent of earlier turns: a tool_result larger than `maxChars` in a turn that has been
 * answered is replaced by a short note. Claude read it and answered; sending it again with every
 * later question would spend the token budget on it and push out whole turns. The stored
 * transcript keeps the full result; only the request is lighter. The latest turn is untouched.
 */
export function elideAnsweredToolResults(transcript: Transcript, maxChars: number): Transcript {
  const starts = turnStarts(transcript);
  const current = starts.at(-1) ?? 0;
  return transcript.map((message, index) => {
    if (index >= current || message.role !== 'user' || typeof message.content === 'string') return message;
    if (!message.content.some((block) => block.type === 'tool_result' && resultChars(block) > maxChars)) return message;
    return {
      ...message,
      content: message.content.map((block) =>
        block.type === 'tool_result' && resultChars(block) > maxChars
          ? {
              ...block,
              content: [
                {
                  type: 'text' as const,
                  text: `[This tool result (${resultChars(block).toLocaleString('en-US')} characters) was answered earlier in this conversation and is left out here to save space. Call the tool again if you need it.]`,
                },
              ],
            }
          : block,
      ),
    };
  });
}

function resultChars(block: Anthropic.ToolResultBlockParam): number {
  if (typeof block.content === 'string') return block.content.length;
  let total = 0;
  for (const part of block.content ?? []) {
    if (part.type === 'text') total += part.text.length;
    else if (part.type === 'image' && part.source.type === 'base64') total += part.source.data.length;
    else total += JSON.stringify(part).length;
  }
  return total;
}
