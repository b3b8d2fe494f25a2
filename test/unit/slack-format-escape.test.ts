// The escape helpers every place that posts untrusted text uses (src/slack/reply/escape.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clippedMrkdwn, codeBlock, inlineCode, untrustedMarkdown } from '../../src/slack/reply/escape.js';
import { WORD_JOINER } from '../../src/slack/reply/mentions.js';

describe('escaping untrusted text for Slack', () => {
  test('a cut never splits an entity', () => {
    assert.equal(clippedMrkdwn('ab<<<<', 4), 'ab&lt;…');
  });

  test('code spans and blocks cannot be closed from inside', () => {
    assert.equal(inlineCode('a`<b>'), '`aˋ&lt;b&gt;`');
    assert.equal(codeBlock('x```<!channel>'), '```x`\u200b``&lt;!channel&gt;```');
    assert.equal(inlineCode(''), '` `');
  });

  test('Markdown fields: pings defused, then escaped; the asker may still be mentioned', () => {
    const out = untrustedMarkdown('<!channel> <@U1> <@U2> <https://evil.example|docs>', ['U1']);
    assert.equal(out, `@${WORD_JOINER}channel &lt;@U1&gt; @${WORD_JOINER}user &lt;https://evil.example|docs&gt;`);
  });
});
