// app_mention and message events -> questions in the inbox. This is the ack path (see
// ../intake/deferred-ack.ts): Slack is acked when these listeners end, so they only classify and accept
// (claim + append, one atomic step). Everything that is not a question for the bot is dropped here
// with a debug line saying why.
import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { Answerer } from '../answer.js';
import { IntakeUnavailableError } from '../intake/deferred-ack.js';
import { classify, type Question } from '../intake/question.js';

const STORE_AWAY = ':warning: I cannot reach my store right now, so I cannot answer; please ask again in a minute.';

export function registerEventListeners(app: App, deps: { answerer: Answerer; logger: Logger }): void {
  const { answerer, logger } = deps;

  /** Accepts the question; if the inbox is out of reach, says so (once) and leaves the event unacked. */
  const accept = async (question: Question, eventId: string | undefined, client: webApi.WebClient, retryNum: number | undefined, onlyIfEngaged: boolean) => {
    try {
      await answerer.accept(question, eventId, { onlyIfEngaged });
    } catch (error) {
      logger.error('could not accept a question', { conversation: question.key, eventId, error: error instanceof Error ? error.message : String(error) });
      // Not awaited: the ack path makes no Web API call it waits for. Only on the first delivery
      // (Slack's retries would repeat it) and only for a question surely for the bot.
      if (!onlyIfEngaged && !retryNum) {
        void client.chat.postMessage({ channel: question.channel, thread_ts: question.threadTs, text: STORE_AWAY }).catch(() => undefined);
      }
      throw new IntakeUnavailableError({ cause: error });
    }
  };

  app.event('app_mention', async ({ event, body, context, client }) => {
    const result = classify(event, context);
    if (result.kind !== 'question') return void logger.debug('app_mention ignored', { reason: reasonOf(result) });
    await accept(result.question, body.event_id, client, context.retryNum, false);
  });

  app.message(async ({ message, body, context, client }) => {
    const result = classify(message, context);
    if (result.kind === 'ignore') return void logger.debug('message ignored', { reason: result.reason });
    await accept(result.question, body.event_id, client, context.retryNum, result.kind === 'if-engaged');
  });
}

function reasonOf(result: ReturnType<typeof classify>): string {
  return result.kind === 'ignore' ? result.reason : 'not a question';
}
