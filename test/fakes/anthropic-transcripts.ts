// Small transcript builders for tests of the agent room (transcripts, trimming, the fake API).
import type Anthropic from '@anthropic-ai/sdk';
import type { Message } from '../../src/agent/types.js';

export const user = (content: Message['content']): Message => ({ role: 'user', content });
export const assistant = (content: Message['content']): Message => ({ role: 'assistant', content });
export const text = (value: string): Anthropic.TextBlockParam => ({ type: 'text', text: value });
export const toolUse = (id: string, name = 'echo', input: unknown = {}): Anthropic.ToolUseBlockParam => ({ type: 'tool_use', id, name, input });
export const toolResult = (id: string, content: Anthropic.ToolResultBlockParam['content'] = 'ok'): Anthropic.ToolResultBlockParam => ({
  type: 'tool_result',
  tool_use_id: id,
  content,
});

/** A turn with `rounds` tool rounds: question, (tool_use, tool_result) x rounds, answer. */
export function toolTurn(tag: string, rounds: number, size = 10): Message[] {
  const out: Message[] = [user(`question ${tag} ${'q'.repeat(size)}`)];
  for (let r = 0; r < rounds; r++) {
    out.push(assistant([text(`looking ${tag}${r}`), toolUse(`${tag}_${r}`, 'echo', { n: r })]));
    out.push(user([toolResult(`${tag}_${r}`, 'r'.repeat(size))]));
  }
  out.push(assistant(`answer ${tag} ${'a'.repeat(size)}`));
  return out;
}
