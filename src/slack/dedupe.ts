// Answer each Slack message once. Slack redelivers an event whose ack was late (same event_id, up to
// about 5 minutes after the first try), and a mention in a channel arrives twice, as app_mention and
// as message (different event_ids, same channel + ts). The caller claims every id an event has; the
// first claim of any of them wins and every later one is a duplicate. The claims themselves live in
// src/coordination/ (Redis SET NX across replicas, the store in one process).

export interface Dedupe {
  /** True for the first claim of these ids; false if any of them was claimed before. */
  claim(ids: string[]): Promise<boolean>;
}

/** How long a claim is remembered: well past Slack's last retry (~5 minutes after the first try). */
export const DEFAULT_DEDUPE_TTL_MS = 60 * 60 * 1000;
