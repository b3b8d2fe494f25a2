// The lines a person reads under an answer that is not whole (done.notice), in one place so the
// Slack and terminal fronts show the same words.
import type Anthropic from '@anthropic-ai/sdk';

export const notices = {
  cut: 'The answer was cut off because it reached the length limit for one reply.',
  contextFull: 'The answer was cut off because this conversation has grown too long for Claude; a new thread will help.',
  roundCap: (rounds: number) =>
    `I stopped using tools after ${rounds} round${rounds === 1 ? '' : 's'} of tool calls, so this answer may be incomplete.`,
  compacted:
    'This thread has passed its storage limit, so its oldest tool results were replaced by short notes (Claude can call the tools again if it needs them).',
  paused: 'Claude paused before finishing and the round limit was reached, so this answer may be incomplete.',
  refusal: (details: Anthropic.RefusalStopDetails | null) => {
    const why = details?.explanation?.trim();
    return `${why ? `Claude declined to answer: ${why}` : 'Claude declined to answer this.'} This exchange was left out of the conversation.`;
  },
};

/** The tool_result for a call the model made after it was told to stop using tools. */
export function notRunText(maxRounds: number): string {
  return `Not run: this turn reached its limit of ${maxRounds} rounds of tool calls. Answer with what you have.`;
}

/** The tool_result for a call over the round's limit of parallel calls. */
export function tooManyCallsText(perRound: number): string {
  return `Not run: at most ${perRound} tool calls run at once. Ask for this one again in the next round if you still need it.`;
}

/** Sent instead of an empty question (a bare @mention), which the API would refuse. */
export const EMPTY_QUESTION = '(The user sent an empty message.)';
