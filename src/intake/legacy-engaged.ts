// Threads that became the bot's before the inbox existed. Until then the Slack front marked a thread
// it had answered in the history store, as the Keyv key `engaged:<thread>` (value true, with the
// store's TTL, STORE_TTL_DAYS). The inbox keeps its own mark now, so a plain follow-up (no mention)
// in such a thread would be dropped after an upgrade. This wrapper looks there when the inbox does
// not know the thread, and only then: the follow-up is accepted as if mentioned, which marks the
// thread in the inbox, so the next follow-up needs no second look. The old marks expire on their own.
import type { AcceptOptions, AcceptResult, Inbox } from './types.js';

/** The one read this needs from the history store (a Keyv, with its own namespace). */
export interface LegacyMarks {
  get(key: string): Promise<unknown>;
}

export function legacyEngagedKey(thread: string): string {
  return `engaged:${thread}`;
}

export function withLegacyEngaged(inbox: Inbox, marks: LegacyMarks): Inbox {
  const markedBefore = async (thread: string) => (await marks.get(legacyEngagedKey(thread))) === true;
  return {
    kind: inbox.kind,
    durable: inbox.durable,
    take: () => inbox.take(),
    takeMany: (limit) => inbox.takeMany(limit),
    finish: (taken) => inbox.finish(taken),
    release: (taken) => inbox.release(taken),
    size: () => inbox.size(),
    close: () => inbox.close(),
    async accept(question, options: AcceptOptions): Promise<AcceptResult> {
      const result = await inbox.accept(question, options);
      if (result !== 'not-engaged' || !(await markedBefore(question.key))) return result;
      // Claims and append are still one atomic step in the inbox: a retry racing this one is a duplicate.
      return inbox.accept(question, { ...options, onlyIfEngaged: false });
    },
    async isEngaged(thread) {
      return (await inbox.isEngaged(thread)) || markedBefore(thread);
    },
  };
}
