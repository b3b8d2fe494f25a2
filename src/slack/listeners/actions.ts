// Feedback buttons under answers: acknowledged, and logged with the conversation key.
import type { App, BlockAction } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { clickPlace } from '../questions/click.js';
import { conversationKey } from '../intake/question.js';

export function registerActionListeners(app: App, deps: { feedbackActionId: string; logger: Logger }): void {
  app.action<BlockAction>(deps.feedbackActionId, async ({ ack, body, action }) => {
    await ack();
    const { channel, messageTs, threadTs: inThread } = clickPlace(body);
    const threadTs = inThread ?? messageTs;
    const teamId = body.team?.id ?? body.user.team_id ?? 'T';
    const value = 'value' in action ? action.value : undefined;
    deps.logger.info('answer feedback', {
      conversation: channel && threadTs ? conversationKey(teamId, channel, threadTs) : undefined,
      user: body.user.id,
      value,
      messageTs,
    });
  });
}
