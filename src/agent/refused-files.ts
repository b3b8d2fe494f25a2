// A question whose attached image or PDF the Messages API refused (400: a corrupt image, a PDF it
// cannot read, which our own checks let through) must not stay in the thread's history as it was:
// every later question in the thread would send it again and fail the same way. So after such a
// failure the question's image and document blocks are replaced by a line saying what was removed
// and why; the question's text stays, and the next question in the thread is answered.
import Anthropic from '@anthropic-ai/sdk';
import { modelErrorStatus } from './model-errors.js';
import type { Message, Transcript } from './types.js';

type FileBlock = Anthropic.ImageBlockParam | Anthropic.DocumentBlockParam;

/** The transcript with the latest question's files replaced by notes, or undefined when `error` is not a 400 or the question had none. */
export function withoutRefusedFiles(messages: Transcript, error: unknown): Transcript | undefined {
  if (!(error instanceof Anthropic.APIError) || modelErrorStatus(error) !== 400) return undefined;
  const at = lastQuestionIndex(messages);
  const question = at === undefined ? undefined : messages[at];
  if (at === undefined || question === undefined || typeof question.content === 'string') return undefined;
  if (!question.content.some(isFile)) return undefined;
  const reason = (error.apiMessage ?? error.message).slice(0, 200);
  const content = question.content.map((block) => (isFile(block) ? { type: 'text' as const, text: refusedNote(block, reason) } : block));
  const replaced: Message = { role: 'user', content };
  return [...messages.slice(0, at), replaced, ...messages.slice(at + 1)];
}

/** The last user message that is a question (not only tool results). */
function lastQuestionIndex(messages: Transcript): number | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string' || message.content.some((block) => block.type !== 'tool_result')) return i;
  }
  return undefined;
}

function isFile(block: Anthropic.ContentBlockParam): block is FileBlock {
  return block.type === 'image' || block.type === 'document';
}

function refusedNote(block: FileBlock, reason: string): string {
  const what = block.type === 'image' ? 'an image' : `a PDF${block.title ? ` "${block.title}"` : ''}`;
  return `[removed: ${what} attached to this question was refused by the model API ("${reason}"), so it was taken out of this thread's history; attach it again, or in another format, if it is needed.]`;
}
