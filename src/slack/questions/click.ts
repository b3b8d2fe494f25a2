// Where a button was clicked, read from Bolt's BlockAction body (whose `container` and extra message
// fields are typed `any`), and a private word to the person who clicked.
import type { BlockAction, webApi } from '@slack/bolt';

export interface ClickPlace {
  channel: string | undefined;
  /** The message the button is on. */
  messageTs: string | undefined;
  /** The thread that message is in. */
  threadTs: string | undefined;
}

export function clickPlace(body: BlockAction): ClickPlace {
  const container = body.container as { channel_id?: unknown };
  const threadTs: unknown = body.message?.thread_ts;
  return {
    channel: body.channel?.id ?? (typeof container.channel_id === 'string' ? container.channel_id : undefined),
    messageTs: body.message?.ts,
    threadTs: typeof threadTs === 'string' ? threadTs : undefined,
  };
}

/** Tells the person who clicked something only they see, in the thread of the click. */
export function tellClicker(client: webApi.WebClient, body: BlockAction): (text: string) => Promise<void> {
  const { channel, threadTs } = clickPlace(body);
  return (text) =>
    channel ? client.chat.postEphemeral({ channel, user: body.user.id, text, thread_ts: threadTs }).then(() => undefined) : Promise.resolve();
}
