// Shared steps of the OAuth tests: Claude (the fake) calls the OAuth server's whoami tool when it is
// offered; the Connect button's URL; the browser landing on the bot's callback.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { reply, type MessagesRequest, type Script } from '../fakes/anthropic.js';
import type { FakeSlackApi } from '../fakes/slack-api.js';
import { startAuthFixture, type AuthFixture } from '../fixtures/oauth/auth-fixture.js';
import { startHarness, type Harness } from './bot-harness.js';

/** The fixture authorization server and a bot whose servers file names its MCP server `docs`, with no token. */
export async function startOAuthBot(script: Script): Promise<{ auth: AuthFixture; h: Harness }> {
  const auth = await startAuthFixture();
  const h = await startHarness({
    servers: { docs: { url: auth.mcpUrl } },
    env: { TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    script,
  });
  return { auth, h };
}

/** The text of the last tool_result Claude was sent, if the last message holds one. */
function lastToolResult(request: MessagesRequest): string | undefined {
  const last = request.messages.at(-1);
  if (!last || typeof last.content === 'string') return undefined;
  for (const block of last.content) {
    if (block.type === 'tool_result') return JSON.stringify(block.content);
  }
  return undefined;
}

/** The Connect button's URL in the ephemeral message sent to `user`. */
export function connectUrl(h: { slack: FakeSlackApi }, user: string): string {
  const ephemeral = h.slack.ephemerals().filter((e) => e.user === user).at(-1);
  const match = /"url":"([^"]+)"/.exec(JSON.stringify(ephemeral ?? {}));
  assert.ok(match?.[1], `a Connect button for ${user}: ${JSON.stringify(ephemeral)}`);
  return JSON.parse(`"${match[1]}"`) as string;
}

/** Follows the authorization server's redirect to the bot's callback (PUBLIC_URL's host is the test's bot). */
export async function landOnCallback(h: { url: string }, redirect: URL): Promise<Response> {
  return fetch(`${h.url}${redirect.pathname}${redirect.search}`);
}

/** Calls `tool` when it is offered, then answers with what it said; without it, says so. */
export function whoamiScript(tool: string): Script {
  return (request) => {
    const result = lastToolResult(request);
    if (result !== undefined) return reply.text(`The server said: ${result}`);
    const offered = (request.tools ?? []).map((t) => ('name' in t ? t.name : ''));
    if (!offered.includes(tool)) return reply.text(`no such tool (${offered.length} tools)`);
    return reply.tools([{ id: `toolu_${randomBytes(4).toString('hex')}`, name: tool, input: {} }]);
  };
}
