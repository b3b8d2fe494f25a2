// app_mention and message events -> questions. Everything that is not a question for the bot is
// dropped here with a debug line saying why.
import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { createAnswerer } from '../answer.js';
import { classify } from '../question.js';

export function registerEventListeners(
  app: App,
  deps: { answerer: ReturnType<typeof createAnswerer>; logger: Logger },
): void {
  const { answerer, logger } = deps;

  // The answer runs on its own: Bolt has acked the event already and must not wait for the turn.
  app.event('app_mention', ({ event, body, context, client, setStatus }) => {
    const result = classify(event, context);
    if (result.kind !== 'question') logger.debug('app_mention ignored', { reason: reasonOf(result) });
    else void answerer.accept(result.question, body.event_id, { client, setStatus });
    return Promise.resolve();
  });

  app.message(({ message, body, context, client, setStatus }) => {
    const result = classify(message, context);
    if (result.kind === 'ignore') logger.debug('message ignored', { reason: result.reason });
    else void answerer.accept(result.question, body.event_id, { client, setStatus }, { onlyIfEngaged: result.kind === 'if-engaged' });
    return Promise.resolve();
  });
}

function reasonOf(result: ReturnType<typeof classify>): string {
  return result.kind === 'ignore' ? result.reason : 'not a question';
}
