// The fake Slack's Block Kit rules (test/fakes/slack-blocks.ts): what the bot sends passes, and each
// rule, broken alone, is refused the way Slack refuses it, naming the JSON pointer of the problem.
// Then the same rules through the fake's HTTP answers, and strictSlack()'s bookkeeping.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { webApi } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi, type Json } from '../fakes/slack-api.js';
import { MESSAGE_LIST_LIMITS, validateBlocks, validateView, type Surface } from '../fakes/slack-blocks.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const x = (n: number) => 'x'.repeat(n);
const option = (value: string, text = value) => ({ text: plain(text), value });
const button = (extra: Json = {}) => ({ type: 'button', text: plain('Go'), action_id: 'go', value: 'v', ...extra });
const input = (element: Json, extra: Json = {}) => ({ type: 'input', label: plain('Field'), element: { action_id: 'f', ...element }, ...extra });
const actions = (...elements: Json[]) => ({ type: 'actions', elements });
const feedback = (extra: Json = {}) => ({
  type: 'feedback_buttons',
  action_id: 'fb',
  positive_button: { text: plain('Good'), value: 'good' },
  negative_button: { text: plain('Bad'), value: 'bad' },
  ...extra,
});

function problems(blocks: unknown[], surface: Surface = 'message'): string[] {
  return validateBlocks(blocks, surface, surface === 'message' ? MESSAGE_LIST_LIMITS : { blocks: 100, markdownChars: 12_000 });
}

/** Exactly one problem, at this pointer, whose message contains `words`. */
function refused(found: string[], pointer: string, words: string): void {
  assert.equal(found.length, 1, `expected one problem, got ${JSON.stringify(found)}`);
  assert.match(found[0] ?? '', new RegExp(`^\\[ERROR\\] .*${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* \\[json-pointer:${pointer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]$`));
}

describe('Block Kit rules: what passes', () => {
  test('every block and element the bot builds passes in a message', () => {
    const blocks = [
      { type: 'header', text: plain('MCP servers') },
      { type: 'section', text: mrkdwn('*everything* up'), accessory: button({ confirm: { title: plain('Sure?'), text: plain('Really.'), confirm: plain('Yes'), deny: plain('No') } }) },
      { type: 'section', fields: [mrkdwn('a'), plain('b')], expand: true },
      { type: 'context', elements: [mrkdwn('quiet line'), { type: 'image', image_url: 'https://x.test/a.png', alt_text: 'a' }] },
      { type: 'divider' },
      { type: 'markdown', text: '**answer**' },
      actions(button({ style: 'primary' }), button({ action_id: 'deny', style: 'danger' })),
      { ...input({ type: 'plain_text_input', min_length: 1, max_length: 3000, initial_value: 'hi', multiline: true }), block_id: 'b1', hint: plain('hint'), optional: true },
      { ...input({ type: 'number_input', is_decimal_allowed: false, min_value: '-2', max_value: '10', initial_value: '3' }), block_id: 'b2' },
      { ...input({ type: 'datepicker', initial_date: '2026-11-29', placeholder: plain('When?') }), block_id: 'b3' },
      { ...input({ type: 'email_text_input', initial_value: 'a@b.test' }), block_id: 'b4' },
      { ...input({ type: 'url_text_input', initial_value: 'https://b.test' }), block_id: 'b5' },
      { ...input({ type: 'checkboxes', options: [option('true', 'Yes')], initial_options: [option('true', 'Yes')] }), block_id: 'b6' },
      { ...input({ type: 'radio_buttons', options: [option('a'), option('b')], initial_option: option('b') }), block_id: 'b7' },
      { ...input({ type: 'static_select', options: [option('a'), option('b')], initial_option: option('a') }), block_id: 'b8' },
      { ...input({ type: 'multi_static_select', options: [option('a'), option('b')], initial_options: [option('b')], max_selected_items: 2 }), block_id: 'b9' },
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi', style: { bold: true } }, { type: 'link', url: 'https://x.test' }] }, { type: 'rich_text_list', style: 'bullet', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }] }] },
      { type: 'context_actions', elements: [feedback({ positive_button: { text: plain('Good'), value: 'good', accessibility_label: 'Mark as good' } })] },
    ];
    assert.deepEqual(problems(blocks), []);
  });

  test('a modal and a Home tab with their fields pass, 100 blocks each', () => {
    const hundred = Array.from({ length: 100 }, () => ({ type: 'divider' }));
    const modal = { type: 'modal', title: plain(x(24)), submit: plain('Send'), close: plain('Cancel'), callback_id: 'form', private_metadata: x(3000), blocks: [...hundred.slice(1), input({ type: 'plain_text_input' })] };
    assert.deepEqual(validateView(modal, ['modal']), []);
    assert.deepEqual(validateView({ type: 'home', blocks: hundred }, ['home']), []);
  });

  test('the same action_id in two different blocks is fine', () => {
    assert.deepEqual(problems([actions(button()), actions(button())]), []);
  });
});

describe('Block Kit rules: each one refuses', () => {
  const cases: Array<[string, unknown[], string, string, Surface?]> = [
    // blocks
    ['an unknown block type', [{ type: 'carousel_of_dreams' }], '/blocks/0/type', 'unsupported type'],
    ['an unknown field', [{ type: 'divider', colour: 'red' }], '/blocks/0/colour', 'is not a known field'],
    ['a block_id over 255 characters', [{ type: 'divider', block_id: x(256) }], '/blocks/0/block_id', 'less than 256 characters'],
    ['a block_id used twice', [{ type: 'divider', block_id: 'a' }, { type: 'divider', block_id: 'a' }], '/blocks/1/block_id', 'duplicate block_id'],
    ['more than 50 blocks in a message', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks', 'no more than 50 items'],
    ['a header over 150 characters', [{ type: 'header', text: plain(x(151)) }], '/blocks/0/text/text', 'less than 151 characters'],
    ['a header in mrkdwn', [{ type: 'header', text: mrkdwn('a') }], '/blocks/0/text/type', 'must be one of "plain_text"'],
    ['a section with neither text nor fields', [{ type: 'section' }], '/blocks/0', 'either text or fields'],
    ['a section over 3,000 characters', [{ type: 'section', text: mrkdwn(x(3001)) }], '/blocks/0/text/text', 'less than 3001 characters'],
    ['empty text', [{ type: 'section', text: mrkdwn('') }], '/blocks/0/text/text', 'must be more than 0 characters'],
    ['more than 10 section fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }], '/blocks/0/fields', 'no more than 10 items'],
    ['a section field over 2,000 characters', [{ type: 'section', fields: [mrkdwn(x(2001))] }], '/blocks/0/fields/0/text', 'less than 2001 characters'],
    ['an input element as accessory', [{ type: 'section', text: mrkdwn('a'), accessory: { type: 'plain_text_input' } }], '/blocks/0/accessory/type', 'must be one of'],
    ['more than 10 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }], '/blocks/0/elements', 'no more than 10 items'],
    ['a button in a context block', [{ type: 'context', elements: [button()] }], '/blocks/0/elements/0/type', 'must be one of image, plain_text, mrkdwn'],
    ['an empty actions block', [actions()], '/blocks/0/elements', 'at least 1 items'],
    ['more than 25 actions', [actions(...Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })))], '/blocks/0/elements', 'no more than 25 items'],
    ['a markdown block outside messages', [{ type: 'markdown', text: 'a' }], '/blocks/0/type', 'not allowed in a home', 'home'],
    ['markdown blocks over 12,000 characters together', [{ type: 'markdown', text: x(6001) }, { type: 'markdown', text: x(6000) }], '/blocks', 'less than 12001 characters in total'],
    // button and action_id
    ['a button without text', [actions({ type: 'button', action_id: 'a' })], '/blocks/0/elements/0', 'missing required field: text'],
    ['button text over 75 characters', [actions(button({ text: plain(x(76)) }))], '/blocks/0/elements/0/text/text', 'less than 76 characters'],
    ['a button value over 2,000 characters', [actions(button({ value: x(2001) }))], '/blocks/0/elements/0/value', 'less than 2001 characters'],
    ['a button url over 3,000 characters', [actions(button({ url: x(3001) }))], '/blocks/0/elements/0/url', 'less than 3001 characters'],
    ['a button style Slack does not have', [actions(button({ style: 'warning' }))], '/blocks/0/elements/0/style', 'must be one of'],
    ['an accessibility_label over 75 characters', [actions(button({ accessibility_label: x(76) }))], '/blocks/0/elements/0/accessibility_label', 'less than 76 characters'],
    ['an action_id over 255 characters', [actions(button({ action_id: x(256) }))], '/blocks/0/elements/0/action_id', 'less than 256 characters'],
    ['the same action_id twice in one block', [actions(button(), button())], '/blocks/0/elements/1/action_id', 'duplicate action_id'],
    ['a confirm dialog without deny', [actions(button({ confirm: { title: plain('t'), text: plain('t'), confirm: plain('y') } }))], '/blocks/0/elements/0/confirm', 'missing required field: deny'],
    // input and its elements
    ['an input without label', [{ type: 'input', element: { type: 'plain_text_input' } }], '/blocks/0', 'missing required field: label'],
    ['an input label over 2,000 characters', [input({ type: 'plain_text_input' }, { label: plain(x(2001)) })], '/blocks/0/label/text', 'less than 2001 characters'],
    ['an input hint over 2,000 characters', [input({ type: 'plain_text_input' }, { hint: plain(x(2001)) })], '/blocks/0/hint/text', 'less than 2001 characters'],
    ['a button as input element', [input({ type: 'button', text: plain('b') })], '/blocks/0/element/type', 'must be one of'],
    ['more than 10 checkboxes', [input({ type: 'checkboxes', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`)) })], '/blocks/0/element/options', 'no more than 10 items'],
    ['an initial checkbox that is not an option', [input({ type: 'checkboxes', options: [option('a')], initial_options: [option('b')] })], '/blocks/0/element/initial_options/0', 'must match one of the options'],
    ['more than 10 radio buttons', [input({ type: 'radio_buttons', options: Array.from({ length: 11 }, (_, i) => option(`o${i}`)) })], '/blocks/0/element/options', 'no more than 10 items'],
    ['option text over 75 characters', [input({ type: 'static_select', options: [option('a', x(76))] })], '/blocks/0/element/options/0/text/text', 'less than 76 characters'],
    ['an option value over 150 characters', [input({ type: 'static_select', options: [option(x(151), 'a')] })], '/blocks/0/element/options/0/value', 'less than 151 characters'],
    ['more than 100 select options', [input({ type: 'static_select', options: Array.from({ length: 101 }, (_, i) => option(`o${i}`)) })], '/blocks/0/element/options', 'no more than 100 items'],
    ['a select with neither options nor option_groups', [input({ type: 'static_select' })], '/blocks/0/element', 'exactly one of options or option_groups'],
    ['an initial select option that is not an option', [input({ type: 'static_select', options: [option('a')], initial_option: option('z') })], '/blocks/0/element/initial_option', 'must match one of the options'],
    ['a multi-select allowing 0 items', [input({ type: 'multi_static_select', options: [option('a')], max_selected_items: 0 })], '/blocks/0/element/max_selected_items', 'must be from 1 to 100'],
    ['a date not in YYYY-MM-DD', [input({ type: 'datepicker', initial_date: '29/11/2026' })], '/blocks/0/element/initial_date', 'YYYY-MM-DD'],
    ['a placeholder over 150 characters', [input({ type: 'datepicker', placeholder: plain(x(151)) })], '/blocks/0/element/placeholder/text', 'less than 151 characters'],
    ['a number input without is_decimal_allowed', [input({ type: 'number_input' })], '/blocks/0/element', 'missing required field: is_decimal_allowed'],
    ['a number input whose minimum is above its maximum', [input({ type: 'number_input', is_decimal_allowed: true, min_value: '5', max_value: '1' })], '/blocks/0/element/min_value', 'not be greater than max_value'],
    ['a decimal where whole numbers are asked', [input({ type: 'number_input', is_decimal_allowed: false, initial_value: '1.5' })], '/blocks/0/element/initial_value', 'whole number'],
    ['a number that is not a number', [input({ type: 'number_input', is_decimal_allowed: true, max_value: '1e+21' })], '/blocks/0/element/max_value', 'must be a number'],
    ['a text input max_length over 3,000', [input({ type: 'plain_text_input', max_length: 3001 })], '/blocks/0/element/max_length', 'must be from 1 to 3000'],
    ['a text input min_length over its max_length', [input({ type: 'plain_text_input', min_length: 10, max_length: 5 })], '/blocks/0/element/min_length', 'not be greater than max_length'],
    ['a field an email input does not have', [input({ type: 'email_text_input', multiline: true })], '/blocks/0/element/multiline', 'is not a known field'],
    // rich text
    ['an unknown rich text part', [{ type: 'rich_text', elements: [{ type: 'rich_text_table' }] }], '/blocks/0/elements/0/type', 'must be one of'],
    ['a rich text list with a style Slack does not have', [{ type: 'rich_text', elements: [{ type: 'rich_text_list', style: 'dashed', elements: [{ type: 'rich_text_section', elements: [] }] }] }], '/blocks/0/elements/0/style', 'must be one of'],
    // context_actions and feedback buttons
    ['more than 5 context actions', [{ type: 'context_actions', elements: Array.from({ length: 6 }, (_, i) => feedback({ action_id: `f${i}` })) }], '/blocks/0/elements', 'no more than 5 items'],
    ['a plain button in context_actions', [{ type: 'context_actions', elements: [button()] }], '/blocks/0/elements/0/type', 'must be one of feedback_buttons, icon_button'],
    ['feedback buttons without the negative one', [{ type: 'context_actions', elements: [feedback({ negative_button: undefined })] }], '/blocks/0/elements/0', 'missing required field: negative_button'],
    ['a feedback button without value', [{ type: 'context_actions', elements: [feedback({ positive_button: { text: plain('Good') } })] }], '/blocks/0/elements/0/positive_button', 'missing required field: value'],
    ['context_actions outside messages', [{ type: 'context_actions', elements: [feedback()] }], '/blocks/0/type', 'not allowed in a modal', 'modal'],
  ];
  for (const [name, blocks, pointer, words, surface] of cases) {
    test(name, () => refused(problems(JSON.parse(JSON.stringify(blocks)) as unknown[], surface), pointer, words));
  }
});

describe('Block Kit rules: views', () => {
  const view = (extra: Json) => ({ type: 'modal', title: plain('Form'), blocks: [{ type: 'divider' }], ...extra });
  const cases: Array<[string, Json, Array<'modal' | 'home'>, string, string]> = [
    ['a modal title over 24 characters', view({ title: plain(x(25)) }), ['modal'], '/view/title/text', 'less than 25 characters'],
    ['a modal without title', view({ title: undefined }), ['modal'], '/view', 'missing required field: title'],
    ['a close button over 24 characters', view({ close: plain(x(25)) }), ['modal'], '/view/close/text', 'less than 25 characters'],
    ['inputs without a submit button', view({ blocks: [input({ type: 'plain_text_input' })] }), ['modal'], '/view/submit', 'input blocks'],
    ['private_metadata over 3,000 characters', view({ private_metadata: x(3001) }), ['modal'], '/view/private_metadata', 'less than 3001 characters'],
    ['a callback_id over 255 characters', view({ callback_id: x(256) }), ['modal'], '/view/callback_id', 'less than 256 characters'],
    ['more than 100 blocks', view({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }), ['modal'], '/view/blocks', 'no more than 100 items'],
    ['a bad block inside a view', view({ blocks: [{ type: 'header', text: plain(x(151)) }] }), ['modal'], '/view/blocks/0/text/text', 'less than 151 characters'],
    ['a Home tab opened as a modal', { type: 'home', blocks: [] }, ['modal'], '/view/type', 'must be one of modal'],
    ['a title on a Home tab', { type: 'home', title: plain('Home'), blocks: [] }, ['home'], '/view/title', 'is not a known field'],
  ];
  for (const [name, value, allowed, pointer, words] of cases) {
    test(name, () => refused(validateView(JSON.parse(JSON.stringify(value)) as unknown, allowed), pointer, words));
  }
});

describe('the fake answers bad Block Kit as Slack does', () => {
  let fake: FakeSlackApi;
  let client: webApi.WebClient;
  before(async () => {
    fake = await startFakeSlackApi();
    client = new webApi.WebClient('xoxb-blocks', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 0 } });
  });
  after(() => fake.close());

  /** The error and response_metadata.messages of a refused call; the test expects the refusal. */
  async function refusal(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
    try {
      await call;
    } catch (error) {
      assert.ok(error instanceof webApi.WebAPIPlatformError, `expected a platform error, got ${String(error)}`);
      fake.expectError('*', error.data.error);
      return { error: error.data.error, messages: error.data.response_metadata?.messages ?? [] };
    }
    assert.fail('the call was accepted');
  }

  test('chat.postMessage, chat.update, chat.postEphemeral and stream blocks: invalid_blocks with the pointer', async () => {
    const bad = [{ type: 'header', text: plain(x(151)) }];
    const expected = { error: 'invalid_blocks', messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]'] };
    assert.deepEqual(await refusal(client.chat.postMessage({ channel: 'C1', text: 't', blocks: bad })), expected);
    const ok = await client.chat.postMessage({ channel: 'C1', text: 't' });
    assert.deepEqual(await refusal(client.chat.update({ channel: 'C1', ts: ok.ts ?? '', text: 't', blocks: bad })), expected);
    assert.deepEqual(await refusal(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 't', blocks: bad })), expected);
    const stream = await client.chat.startStream({ channel: 'D1', thread_ts: '1.000001', markdown_text: 'a' });
    assert.deepEqual(await refusal(client.chat.stopStream({ channel: 'D1', ts: stream.ts ?? '', blocks: bad })), expected);
    assert.equal(fake.messages('C1').length, 1, 'nothing refused was shown');
  });

  test('a streamed message holds 50 blocks in all: chunk blocks and stop blocks together', async () => {
    const dividers = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' as const }));
    const stream = await client.chat.startStream({ channel: 'D2', thread_ts: '1.000001', chunks: [{ type: 'blocks', blocks: dividers(30) }] });
    const ts = stream.ts ?? '';
    const refused = await refusal(client.chat.stopStream({ channel: 'D2', ts, markdown_text: 'end', blocks: dividers(21) }));
    assert.deepEqual(refused, { error: 'invalid_blocks', messages: ['[ERROR] must provide no more than 50 items [json-pointer:/blocks]'] });
    assert.equal(fake.message('D2', ts)?.stream, 'streaming', 'a refused stop changes nothing');
    assert.equal(fake.message('D2', ts)?.markdown_text, undefined);
    await client.chat.stopStream({ channel: 'D2', ts, blocks: dividers(20) });
    assert.equal(fake.message('D2', ts)?.blocks?.length, 50);
  });

  test('views.open, views.update and views.publish: invalid_arguments with the pointer', async () => {
    const modal = { type: 'modal' as const, title: plain('Form') as { type: 'plain_text'; text: string }, blocks: [] };
    const opened = await client.views.open({ trigger_id: '1.2.abc', view: modal });
    const longTitle = { ...modal, title: { type: 'plain_text' as const, text: x(25) } };
    const expected = { error: 'invalid_arguments', messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] };
    assert.deepEqual(await refusal(client.views.open({ trigger_id: '1.2.abc', view: longTitle })), expected);
    assert.deepEqual(await refusal(client.views.update({ view_id: opened.view?.id ?? '', view: longTitle })), expected);
    const home = await refusal(client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [{ type: 'markdown', text: 'a' }] } }));
    assert.deepEqual(home, { error: 'invalid_arguments', messages: ['[ERROR] markdown blocks are not allowed in a home [json-pointer:/view/blocks/0/type]'] });
    assert.equal(fake.homeView('U1'), undefined);
    assert.equal(fake.modals().length, 1);
  });

  test('a response_url post with bad blocks answers ok: false, invalid_blocks', async () => {
    const response = await fetch(fake.responseUrl('bad'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text: 't', blocks: [{ type: 'section' }] }),
    });
    const answer = (await response.json()) as Json;
    fake.expectError('response_url', 'invalid_blocks');
    assert.deepEqual(answer, { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must provide either text or fields [json-pointer:/blocks/0]'] } });
  });

  test('strictSlack counts only errors no knob injected and no expectError named', async () => {
    fake.takeUnexpectedErrors();
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await assert.rejects(client.chat.postMessage({ channel: 'C9', text: 'a' }));
    await assert.rejects(client.reactions.remove({ channel: 'C9', timestamp: '1.000001', name: 'eyes' }));
    await assert.rejects(client.chat.postMessage({ channel: 'C9', text: 'a', blocks: [{ type: 'nope' }] }));
    fake.expectError('chat.postMessage', 'invalid_blocks');
    const unexpected = fake.takeUnexpectedErrors();
    assert.deepEqual(
      unexpected.map((call) => `${call.method} ${String(call.response?.error)}`),
      ['reactions.remove no_reaction'],
    );
    assert.deepEqual(fake.takeUnexpectedErrors(), [], 'each error is reported once');
    await assert.rejects(client.reactions.remove({ channel: 'C9', timestamp: '2.000001', name: 'eyes' }));
    fake.clearCalls();
    assert.deepEqual(fake.takeUnexpectedErrors().map((call) => call.method), ['reactions.remove'], 'clearCalls() hides no error');
  });
});
