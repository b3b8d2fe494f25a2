// How a tool call is shown to the person who must approve it. Claude chooses the arguments and
// their order, so the display must not let one long value push another out of sight: every
// argument gets its own line, nested ones by their path (`options.path`, `files[2]`), in sorted
// order; short values show in full, long ones shortened with their full size; and the whole call,
// exactly as it will be sent, is one click away (a modal). Pure: it builds Block Kit from data.
//
// Limits (docs.slack.dev/reference/block-kit/blocks/section-block: text at most 3,000 characters;
// docs.slack.dev/reference/views/modal-views: title and close at most 24 characters, 100 blocks;
// SLACK_NOTES.md: about 13k characters of blocks in one message have failed with msg_blocks_too_long).
import type { types } from '@slack/bolt';
import { isPlainObject } from '../../plain-object.js';
import { escapeMrkdwn, inlineCode } from '../reply/escape.js';

/** Characters of argument lines in the approval message, all sections together (escaped). */
const MESSAGE_ARGS_BUDGET = 8000;
/** Characters of one section's text: Slack takes 3,000. */
const SECTION_CHARS = 2900;
/** What one value may take before it is shortened, by how many arguments share the message. */
const MAX_VALUE_CHARS = 400;
const MIN_VALUE_CHARS = 60;
/** An argument's path longer than this is shortened (its value still shows). */
const MAX_PATH_CHARS = 80;
/** Blocks of the modal besides the call's text. */
const MODAL_BLOCKS = 100;

export interface ArgumentLeaf {
  /** `path`, `options.mode`, `files[0]`, `["odd key"]`. */
  path: string;
  /** A string, number, boolean or null; or an empty object or array. */
  value: unknown;
}

/** Every leaf value of the arguments with its path, keys sorted at each level: a stable order Claude cannot choose. */
export function argumentLeaves(args: unknown): ArgumentLeaf[] {
  const leaves: ArgumentLeaf[] = [];
  const walk = (value: unknown, path: string) => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const key of Object.keys(value).sort()) walk(value[key], path + keyPart(key, path === ''));
    } else if (Array.isArray(value) && value.length > 0) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
    } else {
      leaves.push({ path: path || '(arguments)', value });
    }
  };
  walk(args ?? {}, '');
  return leaves;
}

function keyPart(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

/** The arguments as JSON with sorted keys, exactly the values that will be sent. */
export function stableJson(args: unknown): string {
  return JSON.stringify(
    args ?? {},
    (_key, value: unknown) => (isPlainObject(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])) : value),
    2,
  );
}

/**
 * Section texts listing every argument, one line each, within Slack's limits. When there are
 * more arguments than a message can hold, the last line says how many are not shown: nothing is
 * left out silently.
 */
export function argumentSections(args: unknown): string[] {
  const leaves = argumentLeaves(args);
  if (isPlainObject(args) && Object.keys(args).length === 0) return ['_No arguments._'];
  const perValue = Math.max(MIN_VALUE_CHARS, Math.min(MAX_VALUE_CHARS, Math.floor(MESSAGE_ARGS_BUDGET / 2 / leaves.length)));
  const sections: string[] = [];
  let current = '';
  let used = 0;
  for (const [index, leaf] of leaves.entries()) {
    const line = argumentLine(leaf, perValue);
    const rest = leaves.length - index;
    // Room is kept for the line that says how many arguments are not shown.
    if (used + line.length > MESSAGE_ARGS_BUDGET - 200) {
      current = appendLine(sections, current, `*${rest} more argument${rest === 1 ? '' : 's'} not shown here: use Show full call before you decide.*`);
      break;
    }
    current = appendLine(sections, current, line);
    used += line.length + 1;
  }
  if (current) sections.push(current);
  return sections;
}

function appendLine(sections: string[], current: string, line: string): string {
  if (current && current.length + 1 + line.length > SECTION_CHARS) {
    sections.push(current);
    return line;
  }
  return current ? `${current}\n${line}` : line;
}

/** `path`: `"value"`, or the start of a long value and its full size. */
function argumentLine(leaf: ArgumentLeaf, maxValue: number): string {
  const path = leaf.path.length > MAX_PATH_CHARS ? `${leaf.path.slice(0, MAX_PATH_CHARS - 1)}…` : leaf.path;
  const json = JSON.stringify(leaf.value) ?? String(leaf.value);
  if (json.length <= maxValue) return `${inlineCode(path)}: ${inlineCode(json)}`;
  const size = typeof leaf.value === 'string' ? `${leaf.value.length.toLocaleString('en-US')} characters` : `${json.length.toLocaleString('en-US')} characters of JSON`;
  return `${inlineCode(path)}: ${inlineCode(json.slice(0, maxValue).replace(/[\uD800-\uDBFF]$/, '') + '…')} _(${size} in all)_`;
}

/** The modal that shows the whole call: server, tool and every argument as sent. */
export function fullCallView(call: { server: string; tool: string; args: unknown }): types.ModalView {
  const json = stableJson(call.args);
  const pieces = codePieces(json, SECTION_CHARS);
  const room = MODAL_BLOCKS - 2;
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${inlineCode(`${call.server}/${call.tool}`)} with these arguments (${json.length.toLocaleString('en-US')} characters):` } },
    ...pieces.slice(0, room).map((text): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (pieces.length > room) {
    const shown = pieces.slice(0, room).reduce((n, piece) => n + piece.length, 0);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `A modal holds ${room} parts; about ${(json.length - shown).toLocaleString('en-US')} more characters are not shown. Deny the call if you cannot see what it does.` }] });
  }
  return { type: 'modal', title: { type: 'plain_text', text: 'The whole call' }, close: { type: 'plain_text', text: 'Close' }, blocks };
}

/** `text` as mrkdwn code blocks of at most `max` characters each (escaped), cut at line ends where possible. */
function codePieces(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.replace(/```/g, '`\u200b``');
  while (rest.length > 0) {
    let take = Math.min(rest.length, max - 6);
    while (escapeMrkdwn(rest.slice(0, take)).length > max - 6) take = Math.floor(take * 0.8);
    if (take < rest.length) {
      const newline = rest.lastIndexOf('\n', take);
      if (newline > take / 2) take = newline + 1;
      else if (/[\uD800-\uDBFF]/.test(rest.charAt(take - 1))) take -= 1;
    }
    pieces.push('```' + escapeMrkdwn(rest.slice(0, take)) + '```');
    rest = rest.slice(take);
  }
  return pieces.length > 0 ? pieces : ['```{}```'];
}
