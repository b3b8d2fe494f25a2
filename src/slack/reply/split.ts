// Cuts long Markdown into pieces that fit one Slack message (markdown_text takes 12,000 characters).
// Cuts fall at a paragraph, else a line, else a word boundary, and outside fenced code blocks when
// that is possible at all, because a code block cut in two renders as broken Markdown in both
// messages. When a code block is longer than a message, splitMarkdown closes the fence at the end of
// one part and reopens it, with the same info string (language), at the start of the next.
// Lengths are UTF-16 code units (String#length), which never undercounts Slack's characters.

export const MARKDOWN_TEXT_LIMIT = 12_000;

/** An open fenced code block: its opening line (e.g. "```ts") and the marker that closes it. */
export interface OpenFence {
  opener: string;
  /** Indentation plus the fence characters, e.g. "```" or "~~~~". */
  closer: string;
}

interface Fence extends OpenFence {
  char: string;
  length: number;
}

type LineKind = 'text' | 'opener' | 'code' | 'closer';

interface Line {
  start: number;
  /** Offset of the line's end, before its "\n". */
  end: number;
  kind: LineKind;
  /** The fence open at the start of this line, if any. */
  fence?: Fence;
  blank: boolean;
}

interface Cut {
  at: number;
  level: 'paragraph' | 'line' | 'word' | 'hard';
  /** The fence the cut falls inside, if any. */
  fence?: Fence;
  /** Inside a line (a word or hard cut), so a closing fence needs a newline first. */
  midLine: boolean;
}

const OPENER = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSER = /^( {0,3})(`{3,}|~{3,})[ \t]*$/;

/**
 * Splits Markdown into parts of at most `limit` characters. `parts.join('')` is the original text,
 * except where a code block had to be cut: that part then ends with "\n" (if the cut fell inside a
 * line) plus the closing fence, and the next part starts with the fence's opening line and "\n".
 */
export function splitMarkdown(text: string, limit = MARKDOWN_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`splitMarkdown: limit must be a positive integer, not ${limit}`);
  const lines = scanLines(text, undefined);
  const parts: string[] = [];
  let from = 0;
  let prefix = '';
  while (from < text.length) {
    const budget = limit - prefix.length;
    if (text.length - from <= budget) {
      parts.push(prefix + text.slice(from));
      break;
    }
    // Reopening a fence costs its opener in the next part; with tiny limits that would never end.
    const reopen = (fence: Fence) => fence.opener.length + fence.closer.length + 2 <= limit / 2;
    const cut = chooseCut(text, lines, from, budget, reopen);
    const closing = cut.fence && reopen(cut.fence) ? cut.fence : undefined;
    parts.push(prefix + text.slice(from, cut.at) + (closing ? (cut.midLine ? '\n' : '') + closing.closer : ''));
    prefix = closing ? closing.opener + '\n' : '';
    from = cut.at;
  }
  return parts;
}

/**
 * One cut for a message that is filling up: `head` has at most `limit` characters and
 * `head + tail === text`. The cut prefers the same boundaries as splitMarkdown but never adds fences;
 * `before` is text already in the same message, so a code block opened there is known to be open.
 * Use openFenceAt(before + head) to close and reopen a block that the cut leaves open.
 */
export function cutForLimit(text: string, limit: number, before = ''): [head: string, tail: string] {
  if (text.length <= limit) return [text, ''];
  if (limit < 1) return ['', text];
  const lines = scanLines(text, openFence(before));
  const cut = chooseCut(text, lines, 0, limit, () => false);
  return [text.slice(0, cut.at), text.slice(cut.at)];
}

/** The fenced code block still open at the end of `text`, if any. */
export function openFenceAt(text: string): OpenFence | undefined {
  const fence = openFence(text);
  return fence ? { opener: fence.opener, closer: fence.closer } : undefined;
}

function openFence(text: string): Fence | undefined {
  if (text.length === 0) return undefined;
  const lines = scanLines(text, undefined);
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  if (last.kind === 'opener') return fenceOf(text.slice(last.start, last.end));
  return last.kind === 'closer' ? undefined : last.fence;
}

function fenceOf(line: string): Fence | undefined {
  const match = OPENER.exec(line.replace(/\r$/, ''));
  if (!match) return undefined;
  const indent = match[1] ?? '';
  const marker = match[2] ?? '';
  const info = match[3] ?? '';
  // A backtick fence's info string may not contain backticks (CommonMark): "```a```" is inline code.
  if (marker.startsWith('`') && info.includes('`')) return undefined;
  return { opener: line.replace(/\r$/, ''), closer: indent + marker, char: marker[0] ?? '`', length: marker.length };
}

function scanLines(text: string, initial: Fence | undefined): Line[] {
  const lines: Line[] = [];
  let open = initial;
  let start = 0;
  for (;;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const content = text.slice(start, end).replace(/\r$/, '');
    const line: Line = { start, end, kind: 'text', blank: content.trim() === '' };
    if (open) {
      line.fence = open;
      const close = CLOSER.exec(content);
      const marker = close?.[2] ?? '';
      if (close && marker[0] === open.char && marker.length >= open.length) {
        line.kind = 'closer';
        open = undefined;
      } else {
        line.kind = 'code';
      }
    } else {
      const fence = fenceOf(content);
      if (fence) {
        line.kind = 'opener';
        open = fence;
      }
    }
    lines.push(line);
    if (newline === -1) break;
    start = newline + 1;
  }
  return lines;
}

/**
 * The best cut in (from, from + budget]. Outside code blocks first (paragraph, line, word; a cut
 * that fills at least half the budget wins over a better kind of boundary that fills less), then
 * inside one (line, word), then wherever the budget ends.
 */
function chooseCut(text: string, lines: Line[], from: number, budget: number, closes: (fence: Fence) => boolean): Cut {
  const limit = from + budget;
  const cost = (cut: Cut) =>
    cut.at - from + (cut.fence && closes(cut.fence) ? (cut.midLine ? 1 : 0) + cut.fence.closer.length : 0);
  const candidates = listCuts(text, lines, from, limit).filter((cut) => cut.at > from && cost(cut) <= budget);
  const best = (pick: (cut: Cut) => boolean): Cut | undefined => {
    let found: Cut | undefined;
    for (const cut of candidates) if (pick(cut) && (!found || cut.at > found.at)) found = cut;
    return found;
  };
  for (const minFill of [budget / 2, 1]) {
    for (const level of ['paragraph', 'line', 'word'] as const) {
      const cut = best((c) => !c.fence && c.level === level && c.at - from >= minFill);
      if (cut) return cut;
    }
  }
  for (const minFill of [budget / 2, 1]) {
    for (const level of ['line', 'word'] as const) {
      const cut = best((c) => c.fence !== undefined && c.level === level && c.at - from >= minFill);
      if (cut) return cut;
    }
  }
  return hardCut(text, lines, from, budget, closes);
}

function listCuts(text: string, lines: Line[], from: number, limit: number): Cut[] {
  const cuts: Cut[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Line;
    if (line.end < from) continue;
    if (line.start > limit) break;
    const previous = lines[i - 1];
    if (previous && !line.fence) {
      const paragraph = previous.blank && previous.kind === 'text';
      cuts.push({ at: line.start, level: paragraph ? 'paragraph' : 'line', midLine: false });
    } else if (previous && line.kind === 'code' && previous.kind === 'code') {
      // Not right after the opener or right before the closer: either would leave an empty block.
      cuts.push({ at: line.start, level: 'line', fence: line.fence, midLine: false });
    }
    if (line.kind !== 'text' && line.kind !== 'code') continue;
    // After a run of spaces or tabs, so the spaces stay with the words before them.
    for (let at = Math.max(line.start + 1, from + 1); at < line.end && at <= limit; at++) {
      if (isSpace(text.charCodeAt(at - 1)) && !isSpace(text.charCodeAt(at))) {
        cuts.push({ at, level: 'word', fence: line.fence, midLine: true });
      }
    }
  }
  return cuts;
}

/**
 * The last position within the budget that leaves Markdown intact: not inside a fence line, not
 * between the halves of a surrogate pair, and with room for the closing fence if inside a block.
 * A line longer than a whole part leaves no such position; then the cut is plain.
 */
function hardCut(text: string, lines: Line[], from: number, budget: number, closes: (fence: Fence) => boolean): Cut {
  for (let at = from + budget; at > from; at--) {
    if (isHighSurrogate(text.charCodeAt(at - 1))) continue;
    const line = lines.find((l) => l.start <= at && at <= l.end);
    if (!line || line.kind === 'text' || (line.kind === 'opener' && at === line.start) || (line.kind === 'closer' && at === line.end)) {
      return { at, level: 'hard', midLine: true };
    }
    if (line.kind !== 'code' || !line.fence) continue; // inside a fence line
    const midLine = at > line.start;
    // At a line's very end the added closing fence would look like the original one; at the first
    // line's start the part would hold an empty block.
    if (at === line.end && midLine) continue;
    if (!midLine && lines[lines.indexOf(line) - 1]?.kind === 'opener') continue;
    const extra = closes(line.fence) ? (midLine ? 1 : 0) + line.fence.closer.length : 0;
    if (at - from + extra <= budget) return { at, level: 'hard', fence: line.fence, midLine };
  }
  let at = Math.min(from + budget, text.length);
  if (at > from + 1 && isHighSurrogate(text.charCodeAt(at - 1))) at -= 1;
  return { at, level: 'hard', midLine: true };
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
