// Model output must never ping people who did not ask for it. Slack notifies on its escape syntax
// (<!channel>, <!here>, <!everyone>, <!group>, <!subteam^ID>, <@U123>) and, wherever it parses
// names (link_names, Markdown rendering), on bare words such as @channel. This rewrites all of them
// into text that reads the same but cannot notify.
//
// The choice: a WORD JOINER (U+2060, zero width, invisible) goes between "@" and the name. Slack's
// mention matching needs "@channel" as one run of characters, so "@\u2060channel" shows as
// "@channel" and pings no one. Backticks would also defuse it, but they turn prose into code and
// break inside links and code spans; the joiner works the same everywhere, code included.

export const WORD_JOINER = '\u2060';

const defuse = (name: string) => `@${WORD_JOINER}${name}`;

/** <!channel>, <!here|here>, <!subteam^S123|@team>, <!date^...>, etc.: Slack's special commands. */
const SPECIAL = /<!([a-zA-Z]+)(\^[^|>]*)?(?:\|([^>]*))?>/g;
/** <@U123> and <@U123|name>; W ids are enterprise users. */
const USER = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;
/** Bare @channel words, not inside an address like ops@here.example. */
const BARE = /(^|[^\w@.\u2060])@(channel|here|everyone)\b/gi;

const PINGS_EVERYONE = new Set(['channel', 'here', 'everyone', 'group']);

/**
 * Defuses every broadcast ping and every user mention whose id is not in `allowedUserIds` (e.g. the
 * people in the question). Labels are kept: <!subteam^S1|@oncall> becomes "@oncall", and an unknown
 * <@U9|bob> becomes "@bob"; without a label a user becomes "@user".
 */
export function neutralizeMentions(text: string, allowedUserIds: Iterable<string> = []): string {
  const allowed = allowedUserIds instanceof Set ? (allowedUserIds as ReadonlySet<string>) : new Set(allowedUserIds);
  return text
    .replace(SPECIAL, (whole, command: string, _arg: string | undefined, label: string | undefined) => {
      const name = command.toLowerCase();
      if (name === 'subteam') return defuse(cleanLabel(label) || 'group');
      if (PINGS_EVERYONE.has(name)) return defuse(name);
      return whole; // <!date^...> and other commands that notify no one
    })
    .replace(USER, (whole, id: string, label: string | undefined) =>
      allowed.has(id) ? whole : defuse(cleanLabel(label) || 'user'),
    )
    .replace(BARE, (_whole, before: string, name: string) => `${before}${defuse(name)}`);
}

function cleanLabel(label: string | undefined): string {
  return (label ?? '').replace(/^@/, '').trim();
}
