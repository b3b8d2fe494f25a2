// chat.postMessage into a thread (or as a new message that starts one), shown once even when a
// response is lost. The message carries its idempotency key as metadata; when the outcome of a post is
// unknown (no answer, a timeout, a 5xx), the thread (or the channel's newest messages) is read for that
// key before the post is sent again. When it cannot be read either, the post fails rather than risk
// showing twice.
import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { findChannelPart, findPart, replyMetadata, type ReplyKey } from './reply-metadata.js';
import { outcomeUnknown } from '../web/slack-retries.js';

export type PostContent = { text: string; blocks?: (types.KnownBlock | types.Block)[] } | { markdown_text: string };

export interface PostTarget {
  client: webApi.WebClient;
  channel: string;
  /** The thread to post in; absent: a new message in the channel (one that starts a thread). */
  threadTs?: string;
}

/** Posts in all; the second and later only after the thread showed the earlier did not land. */
const POST_ATTEMPTS = 3;

/** Posts `content` into the thread under `key` once; resolves with the message's ts. */
export async function postOnce(target: PostTarget, key: ReplyKey, content: PostContent, logger: Logger, done = false): Promise<string> {
  const { client, channel, threadTs } = target;
  for (let attempt = 1; ; attempt++) {
    try {
      // No previews: a link Claude or a server chose is not fetched by Slack on its own
      // (chat.postMessage's unfurl_links / unfurl_media; chat.update and chat.postEphemeral take neither).
      const response = await client.chat.postMessage({
        channel,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        ...content,
        metadata: replyMetadata(key, done),
        unfurl_links: false,
        unfurl_media: false,
      });
      return response.ts ?? '';
    } catch (error) {
      if (!outcomeUnknown(error) || attempt >= POST_ATTEMPTS) throw error;
      logger.warn('slack post outcome unknown; looking in the thread before posting again', { part: key.part, attempt });
      const lookup = threadTs === undefined ? findChannelPart(client, channel, key) : findPart(client, channel, threadTs, key);
      const found = await lookup.catch(() => {
        throw error;
      });
      if (found) return found;
    }
  }
}
