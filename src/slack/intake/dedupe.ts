// How long a claim on a Slack message is remembered (its event id, its channel + ts): well past
// Slack's last retry (~5 minutes after the first try). The claims themselves are made in the
// inbox, atomically with the append (src/intake/).
export const DEFAULT_DEDUPE_TTL_MS = 60 * 60 * 1000;
