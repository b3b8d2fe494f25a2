import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutralizeMentions, WORD_JOINER } from '../../src/slack/reply/mentions.js';

const J = WORD_JOINER;
/** What people see: the joiner is invisible. */
const shown = (text: string) => text.split(J).join('');

describe('neutralizeMentions', () => {
  test('broadcasts become plain, unpingable text', () => {
    const out = neutralizeMentions('Hey <!channel> and <!here> and <!everyone>, also <!here|here> and <!group>.');
    assert.equal(out, `Hey @${J}channel and @${J}here and @${J}everyone, also @${J}here and @${J}group.`);
    assert.ok(!out.includes('<!'));
    assert.equal(shown(out), 'Hey @channel and @here and @everyone, also @here and @group.');
  });

  test('user groups keep their handle, or become @group', () => {
    assert.equal(neutralizeMentions('ask <!subteam^S0123|@oncall> now'), `ask @${J}oncall now`);
    assert.equal(neutralizeMentions('ask <!subteam^S0123> now'), `ask @${J}group now`);
  });

  test('bare @channel / @here / @everyone words are defused, addresses are not', () => {
    assert.equal(neutralizeMentions('@here: deploy is done. cc @Channel'), `@${J}here: deploy is done. cc @${J}Channel`);
    assert.equal(neutralizeMentions('mail ops@here.example or @everyone!'), `mail ops@here.example or @${J}everyone!`);
    assert.equal(neutralizeMentions('@channels and @hereafter stay'), '@channels and @hereafter stay');
  });

  test('user mentions stay only for allowed ids', () => {
    const allowed = new Set(['U111']);
    assert.equal(neutralizeMentions('thanks <@U111>, ping <@U222> and <@W333|bob>', allowed), `thanks <@U111>, ping @${J}user and @${J}bob`);
    assert.equal(neutralizeMentions('<@U111>', []), `@${J}user`);
    assert.equal(neutralizeMentions('<@U111>', ['U111']), '<@U111>');
  });

  test('harmless Slack syntax passes through', () => {
    const text = 'On <!date^1392734382^{date_short}|Feb 18> in <#C123|general> see <https://example.com|docs>.';
    assert.equal(neutralizeMentions(text), text);
  });

  test('inside code too, since Slack reads its syntax there', () => {
    assert.equal(neutralizeMentions('```\necho "<!here>"\n```'), `\`\`\`\necho "@${J}here"\n\`\`\``);
  });

  test('running it twice changes nothing more', () => {
    const once = neutralizeMentions('<!channel> @here <@U9> <!subteam^S1|@team>');
    assert.equal(neutralizeMentions(once), once);
  });
});
