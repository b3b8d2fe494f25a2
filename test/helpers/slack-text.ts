// What Slack would read as a control sequence in text it parses (mrkdwn, a message's `text`): a
// broadcast (<!channel>, <!here>, <!everyone>), a group or user mention, a link (<https://x|words>).
// Tests of untrusted text assert that none reaches Slack but the bot's own.

/** The control sequences in `text`, except mentions of `allowedUsers` and dates (<!date^…> notifies no one). */
export function controlSequences(text: string, allowedUsers: string[] = []): string[] {
  return [...text.matchAll(/<(?:![^>]*|@[UW][A-Z0-9]+[^>]*|[a-z][a-z0-9+.-]*:[^>]*)>/gi)]
    .map((m) => m[0])
    .filter((token) => !token.startsWith('<!date^') && !allowedUsers.some((user) => token === `<@${user}>`));
}
