// A tool may refuse a call with "URL elicitation required" (-32042): the person must first open a page
// (sign in to a third party, approve a payment). We show them the page through the elicitation hook
// and tell Claude what happened, in words it can pass on. We do not retry by ourselves: agreeing to
// open a page is not having finished there, and only the person knows when they have.
import { ElicitRequestURLParamsSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CallContext, ElicitationHandler } from './types.js';

const requiredSchema = z.object({ elicitations: z.array(ElicitRequestURLParamsSchema) });

export type UrlElicitation = z.infer<typeof ElicitRequestURLParamsSchema>;

/** The pages a failed call asks the person to visit, or undefined when that is not why it failed. */
export function requiredUrlElicitations(err: unknown): UrlElicitation[] | undefined {
  if (!(err instanceof McpError) || (err.code as ErrorCode) !== ErrorCode.UrlElicitationRequired) return undefined;
  const parsed = requiredSchema.safeParse(err.data);
  return parsed.success && parsed.data.elicitations.length > 0 ? parsed.data.elicitations : undefined;
}

export interface UrlAsk {
  server: string;
  tool: string;
  context: CallContext;
  hook: ElicitationHandler | undefined;
  signal: AbortSignal | undefined;
}

/** Offers each page to the person (when there is a hook) and returns the message for the tool result. */
export async function explainUrlElicitations(pages: UrlElicitation[], ask: UrlAsk): Promise<string> {
  const lines: string[] = [];
  for (const page of pages) {
    let outcome = 'Ask the person to open it';
    if (ask.hook) {
      const answer = await ask.hook(
        { mode: 'url', server: ask.server, message: page.message, url: page.url, elicitationId: page.elicitationId },
        ask.context,
        { signal: ask.signal ?? new AbortController().signal },
      );
      outcome =
        answer.action === 'accept'
          ? 'The person was shown the link and agreed to open it'
          : `The person was shown the link and ${answer.action === 'decline' ? 'declined' : 'dismissed it'}`;
    }
    lines.push(`- ${page.url} (${page.message}). ${outcome}.`);
  }
  return (
    `The ${ask.tool} tool of the "${ask.server}" server needs the person to complete a step in their browser first:\n` +
    `${lines.join('\n')}\nOnce they say they are done, call the tool again with the same arguments.`
  );
}
