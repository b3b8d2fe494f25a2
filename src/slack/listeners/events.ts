// app_mention and message events -> questions. Everything that is not a question for the bot is
// dropped here with a debug line saying why.
import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { createAnswerer } from '../answer.js';
import { classify, type IncomingEvent } from '../question.js';

export function registerEventListeners(
  app: App,
  deps: { answerer: ReturnType<typeof createAnswerer>; logger: Logger },
): void {
  const { answerer, logger } = deps;

  app.event('app_mention', async ({ event, body, context, client, setStatus }) => {
    const result = classify(event as IncomingEvent, context);
    if (result.kind !== 'question') return void logger.debug('app_mention ignored', { reason: reasonOf(result) });
    void answerer.accept(result.question, body.event_id, { client, setStatus });
  });

  app.message(async ({ message, body, context, client, setStatus }) => {
    const result = classify(message as IncomingEvent, context);
    if (result.kind === 'ignore') return void logger.debug('message ignored', { reason: result.reason });
    void answerer.accept(result.question, body.event_id, { client, setStatus }, { onlyIfEngaged: result.kind === 'if-engaged' });
  });
}

function reasonOf(result: ReturnType<typeof classify>): string {
  return result.kind === 'ignore' ? result.reason : 'not a question';
}
