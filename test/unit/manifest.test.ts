// manifest.yml asks for what the code uses and says how to use what it offers: the bot scopes are the
// ones its Web API calls and events need (nothing more: no users:read), and the /mcp usage hint
// names every subcommand the command's listener handles.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = readFileSync(path.join(root, 'manifest.yml'), 'utf8');

function botScopes(): string[] {
  const block = /^\s+bot:\n((?:\s+(?:-.*|#.*)\n)+)/m.exec(manifest)?.[1] ?? '';
  return [...block.matchAll(/^\s+-\s+([a-z:._]+)/gm)].map((m) => m[1] ?? '');
}

describe('manifest.yml', () => {
  it('asks for exactly the scopes the code uses', () => {
    assert.deepEqual(botScopes().sort(), [
      'app_mentions:read', // app_mention
      'assistant:write', // features.agent_view
      'channels:history', // message.channels
      'chat:write', // chat.*, chat.*Stream, assistant.threads.setStatus
      'commands', // /mcp
      'files:read', // url_private downloads of files attached to questions
      'files:write', // a tool's images and binary resources uploaded to the thread
      'groups:history', // message.groups
      'im:history', // message.im
      'mpim:history', // message.mpim
    ]);
  });

  it('lists every /mcp subcommand in the usage hint', () => {
    const listener = readFileSync(path.join(root, 'src/slack/home/listeners.ts'), 'utf8');
    const verbs = [...listener.matchAll(/verb === '([a-z]+)'/g)].map((m) => m[1] ?? '');
    assert.ok(verbs.length >= 5, `found the subcommands: ${verbs.join(', ')}`);
    const hint = /usage_hint: "([^"]*)"/.exec(manifest)?.[1] ?? '';
    for (const verb of verbs) assert.match(hint, new RegExp(`\\b${verb}\\b`), `"${verb}" is missing from the usage hint "${hint}"`);
  });

  it('says that HTTP mode also needs the /mcp command URL', () => {
    assert.match(manifest, /^\s+# url: https:\/\/YOUR-HOST\/slack\/events/m);
    assert.match(manifest, /the \/mcp command's url/);
  });
});
