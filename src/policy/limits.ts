// The size and time limits of the policy that apply to a whole question: how long a message may be,
// and how long one answer may take.
//
// The time limit is an AbortSignal for the turn. Aborted, the agent ends the turn with a `failed`
// event whose message is the sentence of the signal's reason (TurnTimeLimitError.userMessage), and
// stores the valid part of the transcript, as for any cancelled turn:
//
//   const deadline = turnDeadline(policy.limits.turnSeconds, shutdownSignal);
//   try {
//     await conversations.runTurn(key, text, sink, deadline.signal, options);
//   } finally {
//     deadline.clear();
//   }
import { formatCount, formatSeconds } from './words.js';

export type LengthCheck = { ok: true } | { ok: false; message: string };

/** The message is for the person who asked, as it is: it names the limit and their message's length. */
export function checkMessageLength(text: string, limit: number): LengthCheck {
  if (text.length <= limit) return { ok: true };
  return {
    ok: false,
    message: `Your message is ${formatCount(text.length)} characters long, and this bot takes at most ${formatCount(limit)}; please shorten it or split it into parts.`,
  };
}

/** The abort reason of a turn that ran out of time; the agent shows `userMessage` to people. */
export class TurnTimeLimitError extends Error {
  readonly userMessage: string;
  constructor(readonly seconds: number) {
    super(`the turn took longer than ${seconds} s`);
    this.name = 'TurnTimeLimitError';
    this.userMessage = `This answer took longer than ${formatSeconds(seconds)} and was stopped.`;
  }
}

export interface TurnDeadline {
  /** Aborts with a TurnTimeLimitError after `seconds`, or with the parent's reason when the parent aborts first. */
  signal: AbortSignal;
  /** Stops the timer once the turn is over. */
  clear(): void;
}

/** A deadline for one turn; `parent` is an outer signal (shutdown) that should stop the turn too. */
export function turnDeadline(seconds: number, parent?: AbortSignal): TurnDeadline {
  const controller = new AbortController();
  // Not unref'd: while the turn runs, its deadline must fire even if nothing else is pending; clear() ends it.
  const timer = setTimeout(() => controller.abort(new TurnTimeLimitError(seconds)), seconds * 1000);
  return {
    signal: parent === undefined ? controller.signal : AbortSignal.any([parent, controller.signal]),
    clear: () => clearTimeout(timer),
  };
}
