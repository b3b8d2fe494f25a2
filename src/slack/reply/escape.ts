// Text that the bot did not write (Claude outside its answer, a tool's arguments and results, a
// server's tool names, descriptions, questions, errors and stderr lines) made safe for each kind of
// Slack field, so that `<!channel>`, `<!here>`, `<@U…>`, `<!subteam^…>` and `<https://evil|harmless>`
// show as text and neither ping anyone nor disguise a link.
//
// Slack's formatting guide (docs.slack.dev/messaging/formatting-message-text, "Escaping text"):
// `&`, `<` and `>` are its control characters in mrkdwn and must be sent as `&amp;`, `&lt;` and
// `&gt;`, and only those three. That holds for a message's `text` (mrkdwn by default, also the
// fallback shown in notifications), for mrkdwn text objects, and inside mrkdwn code, where Slack
// reads its control syntax too and shows `&lt;` back as "<". plain_text objects are not parsed at
// all (`<@U1>` shows as typed), so they need nothing.
//
// Standard Markdown (markdown_text, markdown blocks) is translated by Slack into mrkdwn, and Slack
// documents no escaping for it; the answer relies on that translation keeping `<!channel>` a
// broadcast (hence src/slack/reply/mentions.ts). For untrusted text there we do both: pings are
// defused first (a word joiner after the "@", which works whatever Slack does), then & < > are
// escaped, which CommonMark shows as the characters themselves outside code.
import { neutralizeMentions } from './mentions.js';

/** Escapes the three characters Slack requires escaped in mrkdwn text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` characters of `text` (an ellipsis marks a cut), then escaped: a cut never splits an entity. */
export function clippedMrkdwn(text: string, max: number): string {
  return escapeMrkdwn(clipText(text, max));
}

/** A mrkdwn code span holding `text`: escaped, and a backtick in it cannot end the span early. */
export function inlineCode(text: string): string {
  // U+02CB MODIFIER LETTER GRAVE ACCENT looks like a backtick and is not one.
  return '`' + escapeMrkdwn(text.replace(/`/g, '\u02cb') || ' ') + '`';
}

/** A mrkdwn code block holding `text`: escaped, and a fence in it cannot close the block early. */
export function codeBlock(text: string): string {
  return '```' + escapeMrkdwn(text.replace(/```/g, '`\u200b``')) + '```';
}

/**
 * Untrusted text for a standard-Markdown field (markdown_text, a markdown block) or one whose
 * format Slack does not document (a task note's title, details and output): pings defused, and
 * & < > escaped. `allowedUserIds` may still be mentioned (the asker).
 */
export function untrustedMarkdown(text: string, allowedUserIds: Iterable<string> = []): string {
  return escapeMrkdwn(neutralizeMentions(text, allowedUserIds));
}

/** At most `max` characters, an ellipsis marking a cut, never half a surrogate pair. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - 1)).replace(/[\uD800-\uDBFF]$/, '') + '…';
}
