// app_mention and message events -> questions in the inbox. This is the ack path (see
// ../intake/deferred-ack.ts): Slack is acked when the intake returns, so it only classifies and
// accepts (claim + append, one atomic step). The receiver hands it these events straight, past Bolt's
// listener matching (deferred-ack.ts says why). Everything that is not a question for the bot is
// dropped here with a debug line saying why.
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { Answerer } from '../answer.js';
import { IntakeUnavailableError, type EventIntake, type InboxEventBody } from '../intake/deferred-ack.js';
import { classify, type IncomingEvent, type Question } from '../intake/question.js';

const STORE_AWAY = ':warning: I cannot reach my store right now, so I cannot answer; please ask again in a minute.';

export interface EventIntakeDeps {
  answerer: Answerer;
  logger: Logger;
  /** The bot's own user id (from the start-up check): its mention is stripped, its own messages ignored. */
  botUserId: string;
  /** The Web API client, for the one message that says the store is away (only once the app exists). */
  client: () => webApi.WebClient;
}

export function createEventIntake(deps: EventIntakeDeps): EventIntake {
  const { answerer, logger, botUserId } = deps;

  /** Accepts the question; if the inbox is out of reach, says so (once) and leaves the event unacked. */
  const accept = async (question: Question, eventId: string | undefined, retryNum: number | undefined, onlyIfEngaged: boolean) => {
    try {
      await answerer.accept(question, eventId, { onlyIfEngaged });
    } catch (error) {
      logger.error('could not accept a question', { conversation: question.key, eventId, error: error instanceof Error ? error.message : String(error) });
      // Not awaited: the ack path makes no Web API call it waits for. Only on the first delivery
      // (Slack's retries would repeat it) and only for a question surely for the bot.
      if (!onlyIfEngaged && !retryNum) {
        void deps.client().chat.postMessage({ channel: question.channel, thread_ts: question.threadTs, text: STORE_AWAY }).catch(() => undefined);
      }
      throw new IntakeUnavailableError({ cause: error });
    }
  };

  return async (body: InboxEventBody, retryNum: number | undefined) => {
    // The receiver checked the envelope, not the event's fields: classify reads each one it uses and
    // ignores an event without them.
    const event = body.event as IncomingEvent;
    const result = classify(event, { botUserId, teamId: body.team_id });
    if (result.kind === 'ignore') return void logger.debug(`${event.type} ignored`, { reason: result.reason });
    await accept(result.question, body.event_id, retryNum, result.kind === 'if-engaged');
  };
}
