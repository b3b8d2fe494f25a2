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
    const checked = checkElicitationUrl(page.url);
    if (!checked.ok) {
      lines.push(`- A link the bot refused because ${checked.reason}; do not pass it on (${page.message}).`);
      continue;
    }
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

/** Hosts that are this machine: the only ones a plain-http link may lead to. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export type UrlCheck = { ok: true; host: string } | { ok: false; reason: string };

/**
 * Whether a server's link may be shown to a person, and its host as the browser will really reach
 * it (after any `user@` part, with an international name in its punycode form). Only https, or
 * http to this machine (a local sign-in helper): a plain-http page elsewhere can be read and changed
 * on the way.
 */
export function checkElicitationUrl(url: string): UrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'it is not a valid link' };
  }
  if (parsed.protocol === 'https:') return { ok: true, host: parsed.host };
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return { ok: true, host: parsed.host };
  return { ok: false, reason: parsed.protocol === 'http:' ? 'it is not https' : `its scheme ${parsed.protocol} is not https` };
}
