// Text for the places where Slack cannot take standard Markdown (markdown_text and markdown blocks
// can): the `text` of a message whose body is in blocks, which notifications and screen readers
// show, and other mrkdwn fields. Also the short forms used in tool notes: arguments and durations.

import { isPlainObject } from '../../plain-object.js';
import { clipText, escapeMrkdwn } from './escape.js';

export { escapeMrkdwn } from './escape.js';

/**
 * Markdown -> Slack mrkdwn. **bold** -> *bold*, *italic* / _italic_ -> _italic_, ~~strike~~ ->
 * ~strike~, [text](url) -> <url|text>, headings -> a bold line, bullets -> "•", rules -> a line.
 * Code spans and blocks keep their content; the fence's language is dropped because mrkdwn would
 * show it as code. &, < and > are escaped everywhere, code included (Slack reads its control
 * syntax there too and shows &lt; back as "<"), except in links and in Slack's own tokens
 * (<@U123>, <#C123>, <!date^...>, <https://...>), which pass through.
 */
export function markdownToMrkdwn(markdown: string): string {
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      if (marker?.[1] && marker[1][0] === fence.char && marker[1].length >= fence.length && marker[2]?.trim() === '') {
        fence = undefined;
        out.push('```');
      } else {
        out.push(escapeMrkdwn(line));
      }
      continue;
    }
    if (marker?.[1] && !(marker[1].startsWith('`') && (marker[2] ?? '').includes('`'))) {
      fence = { char: marker[1][0] ?? '`', length: marker[1].length };
      out.push('```');
      continue;
    }
    out.push(convertLine(line));
  }
  if (fence) out.push('```'); // an unclosed block would swallow the rest of the message in Slack
  return out.join('\n');
}

function convertLine(line: string): string {
  const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
  if (heading) {
    // The whole line becomes bold; bold inside it would close that early.
    const content = (heading[1] ?? '').replace(/(\*\*|__)(.+?)\1/g, '$2');
    return content ? `*${convertInline(content)}*` : '';
  }
  if (/^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/.test(line)) return '──────────';
  const quote = /^( {0,3}(?:>[ \t]?)+)(.*)$/.exec(line);
  // mrkdwn has one level of quote; nested ones flatten into it.
  if (quote) return `> ${convertLine(quote[2] ?? '')}`;
  const bullet = /^([ \t]*)[-*+][ \t]+(.*)$/.exec(line);
  if (bullet) return `${bullet[1] ?? ''}• ${convertInline(bullet[2] ?? '')}`;
  return convertInline(line);
}

// Private-use characters mark pieces already converted, so later rules leave them alone.
const HOLD = '\uE000';
const BOLD = '\uE001';

function convertInline(text: string): string {
  const held: string[] = [];
  const hold = (piece: string) => `${HOLD}${held.push(piece) - 1}${HOLD}`;
  let s = text
    // Code spans first: nothing inside them is formatting.
    .replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_m, ticks: string, code: string) => hold(`${ticks}${escapeMrkdwn(code)}${ticks}`))
    // Images and links: [text](url "title") -> <url|text>.
    .replace(/!?\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g, (_m, label: string, url: string) =>
      hold(label.trim() ? `<${escapeUrl(url)}|${escapeMrkdwn(label.replace(/\|/g, '¦'))}>` : `<${escapeUrl(url)}>`),
    )
    // Slack's own tokens and autolinks pass through as they are.
    .replace(/<(?:[@#!][^<>\s][^<>]*|(?:https?|mailto):[^<>\s]+)>/g, (token) => hold(token));
  s = escapeMrkdwn(s)
    .replace(/(\*\*\*|___)(?=\S)([\s\S]*?\S)\1/g, `${BOLD}_$2_${BOLD}`)
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, `${BOLD}$2${BOLD}`)
    .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?![\w*])/g, '$1_$2_')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '~$1~')
    .replace(new RegExp(BOLD, 'g'), '*');
  return s.replace(new RegExp(`${HOLD}(\\d+)${HOLD}`, 'g'), (_m, i: string) => held[Number(i)] ?? '');
}

function escapeUrl(url: string): string {
  // Only & needs escaping in a link target; < > | cannot appear in one that the regex took.
  return url.replace(/&/g, '&amp;');
}

/**
 * A one-line form of a tool's arguments for a tool note: `path: "/x", depth: 2, options: {…}`.
 * Strings are quoted and shortened, nested objects and long arrays summarised, and the whole
 * line kept within `max` characters. Empty input gives "".
 */
export function shortArgs(input: unknown, max = 120): string {
  let line: string;
  if (input === undefined || input === null) line = '';
  else if (isPlainObject(input)) {
    line = Object.entries(input)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}: ${shortValue(value, 1)}`)
      .join(', ');
  } else line = shortValue(input, 1);
  return clip(line, max);
}

const MAX_STRING = 40;

function shortValue(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(clip(value, MAX_STRING));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (depth > 1 || value.length > 3) return `[${value.length} items]`;
    return `[${value.map((item) => shortValue(item, depth + 1)).join(', ')}]`;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    if (depth > 1) return '{…}';
    const shown = keys.slice(0, 3).join(', ');
    return `{${shown}${keys.length > 3 ? ', …' : ''}}`;
  }
  return typeof value; // functions, symbols: not JSON, say what it is
}

function clip(text: string, max: number): string {
  return clipText(text.replace(/\s*\n\s*/g, ' '), max);
}


/** "120 ms", "2.4 s", "1 min 5 s", "1 h 2 min": short and exact enough for a note. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) {
    const s = seconds % 60;
    return `${Math.floor(seconds / 60)} min${s ? ` ${s} s` : ''}`;
  }
  const minutes = Math.round(seconds / 60);
  const m = minutes % 60;
  return `${Math.floor(minutes / 60)} h${m ? ` ${m} min` : ''}`;
}
