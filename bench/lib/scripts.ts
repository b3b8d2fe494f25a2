// Fake-model scripts the scenarios share. The bench tag of the thread ([bench:...] in the first
// question) says what the model does.
import { reply, type ReplySpec, type Script } from '../../test/fakes/anthropic.js';
import { afterToolResults, tagOf } from './bench-bot.js';

/**
 * Tag "<anything>-tools<N>-<anything>": the first response asks for N calls of server-everything's
 * echo tool (N = 0: it answers at once), the response after the tool results answers in short text.
 */
export const toolScript: Script = (request): ReplySpec => {
  const tools = Number(/-tools(\d+)-/.exec(tagOf(request) ?? '')?.[1] ?? 0);
  if (tools === 0 || afterToolResults(request)) return reply.text('A short answer after the tools.');
  return reply.tools(Array.from({ length: tools }, (_, i) => ({ name: 'everything__echo', input: { message: `ping ${i}` } })));
};
