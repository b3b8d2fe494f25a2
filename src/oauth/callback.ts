// GET /oauth/callback: where the authorization server sends the person's browser back (RFC 6749
// section 4.1.2: `code` and `state`, or `error` and `state`). The state is taken once from the store
// (states.ts), so a forged, reused or expired one is refused, on whichever replica the browser
// reaches; then the code is exchanged for the person's tokens and what waited for the sign-in goes on.
// The page is plain HTML with nothing from the request in it but escaped words.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { SignInStates, StateBinding } from './states.js';

export interface CallbackDeps {
  states: SignInStates;
  /** Exchanges the code for the person's tokens; rejects with a reason. */
  /** Exchanges the code; `state` names the sign-in (its PKCE verifier). */
  finish(binding: StateBinding, code: string, state: string): Promise<void>;
  /** After the tokens are stored: e.g. the question that waited is answered. Its failure is only logged. */
  then(binding: StateBinding): Promise<void>;
  logger: Logger;
}

export function callbackHandler(deps: CallbackDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(deps, new URL(req.url ?? '/', 'http://localhost').searchParams).then(
      ({ status, title, text }) => page(res, status, title, text),
      (error: unknown) => {
        deps.logger.error('oauth callback failed', { error: error instanceof Error ? error.message : String(error) });
        page(res, 500, 'Sign-in failed', 'Something went wrong on the bot\'s side. Ask again in Slack to get a new link.');
      },
    );
  };
}

interface Page {
  status: number;
  title: string;
  text: string;
}

async function handle(deps: CallbackDeps, query: URLSearchParams): Promise<Page> {
  const state = query.get('state') ?? '';
  const binding = await deps.states.take(state);
  if (!binding) {
    deps.logger.warn('oauth callback with an unknown, used or expired state');
    return { status: 400, title: 'This sign-in link is not valid', text: 'It was already used, it expired, or it did not come from this bot. Ask again in Slack to get a new one.' };
  }
  const log = deps.logger.child({ server: binding.server });
  const error = query.get('error');
  const code = query.get('code');
  if (error !== null || code === null) {
    log.info('oauth sign-in not completed', { error: error ?? 'no code' });
    return { status: 400, title: 'Not connected', text: 'The sign-in was cancelled or refused. Ask again in Slack to get a new link.' };
  }
  try {
    await deps.finish(binding, code, state);
  } catch (err) {
    log.warn('oauth code exchange failed', { error: err instanceof Error ? err.message : String(err) });
    return { status: 502, title: 'Not connected', text: 'The server did not accept the sign-in. Ask again in Slack to get a new link.' };
  }
  log.info('oauth connected');
  await deps.then(binding).catch((err: unknown) => log.error('could not go on after the sign-in', { error: err instanceof Error ? err.message : String(err) }));
  return { status: 200, title: 'Connected', text: 'Connected, you can close this tab.' };
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
