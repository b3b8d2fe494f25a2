// Which Slack events are questions for the bot (src/slack/intake/question.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, type IncomingEvent } from '../../src/slack/intake/question.js';

const context = { botUserId: 'UBOT', teamId: 'T1' };
const base: IncomingEvent = { type: 'message', channel: 'C1', channel_type: 'channel', user: 'U1', text: 'hello', ts: '10.0' };

describe('classify', () => {
  it('takes an app_mention, strips the mention and keys the conversation by its thread', () => {
    const result = classify({ ...base, type: 'app_mention', text: '<@UBOT> what is up?', thread_ts: '5.0' }, context);
    assert.equal(result.kind, 'question');
    assert.ok(result.kind === 'question');
    assert.equal(result.question.text, 'what is up?');
    assert.equal(result.question.threadTs, '5.0');
    assert.equal(result.question.key, 'T1:C1:5.0');
  });

  it('starts a thread under a top-level mention', () => {
    const result = classify({ ...base, type: 'app_mention', text: '<@UBOT> hi' }, context);
    assert.ok(result.kind === 'question');
    assert.equal(result.question.threadTs, '10.0');
  });

  it('keeps line breaks and code in the question', () => {
    const result = classify({ ...base, type: 'app_mention', text: '<@UBOT> run\n```\nls  -la\n```' }, context);
    assert.ok(result.kind === 'question');
    assert.equal(result.question.text, 'run\n```\nls  -la\n```');
  });

  it('answers every DM, top-level or in a thread', () => {
    assert.equal(classify({ ...base, channel: 'D1', channel_type: 'im' }, context).kind, 'question');
    assert.equal(classify({ ...base, channel: 'D1', channel_type: 'im', thread_ts: '1.0' }, context).kind, 'question');
  });

  it('takes a channel thread reply only if the thread is engaged', () => {
    assert.equal(classify({ ...base, thread_ts: '1.0' }, context).kind, 'if-engaged');
    assert.equal(classify(base, context).kind, 'ignore');
  });

  it('takes a channel message that mentions the bot (the twin of app_mention)', () => {
    assert.equal(classify({ ...base, text: '<@UBOT> hi' }, context).kind, 'question');
  });

  it('ignores bots, itself, edits, deletions and other subtypes', () => {
    for (const event of [
      { ...base, bot_id: 'B1' },
      { ...base, user: 'UBOT' },
      { ...base, subtype: 'message_changed' },
      { ...base, subtype: 'message_deleted' },
      { ...base, subtype: 'channel_join' },
      { ...base, channel_type: 'im', text: '' },
    ]) {
      assert.equal(classify(event, context).kind, 'ignore', JSON.stringify(event));
    }
  });

  it('reads a file share for its text and keeps the files\' descriptors, not their contents', () => {
    const file = { id: 'F1', name: 'a.png', mimetype: 'image/png', size: 12, url_private: 'https://files.slack.com/files-pri/T1-F1/a.png', preview: 'x' };
    const result = classify({ ...base, channel_type: 'im', subtype: 'file_share', text: 'see file', files: [file, {}] }, context);
    assert.ok(result.kind === 'question');
    assert.equal(result.question.text, 'see file');
    assert.deepEqual(result.question.files, [{ id: 'F1', name: 'a.png', mimetype: 'image/png', size: 12, url_private: 'https://files.slack.com/files-pri/T1-F1/a.png' }]);
  });

  it('takes a message with only files as a question, and ignores one whose files have no id', () => {
    const only = classify({ ...base, channel_type: 'im', subtype: 'file_share', text: '', files: [{ id: 'F2', name: 'b.pdf' }] }, context);
    assert.ok(only.kind === 'question');
    assert.equal(only.question.text, '');
    assert.equal(classify({ ...base, channel_type: 'im', subtype: 'file_share', text: '', files: [{}] }, context).kind, 'ignore');
  });
});
