// The App Home tab, the /mcp command and the Forget buttons: the connected servers and their
// tools, the person's recent threads, and forgetting a thread's history.
//
// Slack does not allow an app's slash commands inside threads, so "forget this thread" is a
// button next to each recent thread (Home tab and /mcp) or `/mcp forget <link to the thread>`.
import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { FORGET_ACTION_ID, overviewBlocks, type OverviewInput } from './overview.js';
import { conversationKey } from '../intake/question.js';
import { clippedMrkdwn, escapeMrkdwn, inlineCode } from '../reply/escape.js';
import { parsePromptCommand, promptList, promptQuestion, resourceList, type PromptCatalog } from './prompts.js';
import type { RecentThreads } from './recent-threads.js';

export interface OverviewDeps {
  command: string;
  /** The servers' prompts and resources, those the policy allows in a channel. */
  catalog: PromptCatalog;
  serverAllowed: (server: string, where: { userId: string; channel: string; isDirect: boolean }) => boolean;
  /** Starts a thread in the channel with this question, answered like any other. */
  startThread: (input: { client: webApi.WebClient; teamId: string; channel: string; userId: string; intro: string; question: string }) => Promise<void>;
  overview: (teamId: string, userId: string) => Promise<OverviewInput>;
  recent: RecentThreads;
  /** Forgets a conversation's history (and its token totals). */
  forget: (key: string) => Promise<void>;
  logger: Logger;
}

const HELP = (command: string) =>
  [
    `\`${command}\` shows the connected MCP servers, their tools and your recent threads.`,
    `\`${command} forget <link to a thread>\` makes the bot forget that thread's history.`,
    `\`${command} prompts\` lists the servers' prompts; \`${command} prompt server/name key=value …\` runs one in a new thread.`,
    `\`${command} resources\` lists resources; put \`resource:<uri>\` in a question to attach one.`,
  ].join('\n');

export function registerOverviewListeners(app: App, deps: OverviewDeps): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const input = await deps.overview(body.team_id, event.user);
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: overviewBlocks(input) } });
  });

  app.command(deps.command, async ({ command, ack, respond, client }) => {
    await ack();
    const [verb = '', ...rest] = command.text.trim().split(/\s+/);
    const where = { userId: command.user_id, channel: command.channel_id, isDirect: command.channel_id.startsWith('D') };
    const allowed = (item: { server: string }) => deps.serverAllowed(item.server, where);
    if (verb === 'prompts') {
      const prompts = (await deps.catalog.listPrompts()).filter(allowed);
      return void (await respond({ response_type: 'ephemeral', text: promptList(prompts) }));
    }
    if (verb === 'resources') {
      const resources = (await deps.catalog.listResources()).filter(allowed);
      return void (await respond({ response_type: 'ephemeral', text: resourceList(resources) }));
    }
    if (verb === 'prompt') {
      const parsed = parsePromptCommand(rest.join(' '));
      if ('error' in parsed) return void (await respond({ response_type: 'ephemeral', text: parsed.error }));
      if (!deps.serverAllowed(parsed.server, where)) return void (await respond({ response_type: 'ephemeral', text: `The server ${escapeMrkdwn(parsed.server)} is not available in this channel.` }));
      try {
        const result = await deps.catalog.getPrompt(parsed.server, parsed.name, parsed.args);
        await deps.startThread({
          client,
          teamId: command.team_id,
          channel: command.channel_id,
          userId: command.user_id,
          intro: `:scroll: <@${command.user_id}> ran the prompt ${inlineCode(`${parsed.server}/${parsed.name}`)}${result.description ? `: ${clippedMrkdwn(result.description, 200)}` : ''}`,
          question: promptQuestion(result),
        });
      } catch (error) {
        await respond({ response_type: 'ephemeral', text: `That prompt could not be run: ${escapeMrkdwn(error instanceof Error ? error.message : String(error))}` });
      }
      return;
    }
    if (verb === '' || verb === 'status') {
      const input = await deps.overview(command.team_id, command.user_id);
      return void (await respond({ response_type: 'ephemeral', blocks: overviewBlocks(input), text: 'MCP servers and your recent threads' }));
    }
    if (verb === 'forget') {
      const link = parseThreadLink(rest.join(' '));
      if (!link) {
        return void (await respond({ response_type: 'ephemeral', text: `Give the link to the thread: right-click its first message -> Copy link.\n${HELP(deps.command)}` }));
      }
      const key = conversationKey(command.team_id, link.channel, link.threadTs);
      return void (await respond({ response_type: 'ephemeral', text: await forgetFor(deps, command.team_id, command.user_id, key) }));
    }
    await respond({ response_type: 'ephemeral', text: HELP(deps.command) });
  });

  app.action<BlockAction<ButtonAction>>(FORGET_ACTION_ID, async ({ ack, body, action, client, respond }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id ?? 'T';
    const text = await forgetFor(deps, teamId, body.user.id, action.value ?? '');
    if (body.container.type === 'view') {
      // On the Home tab: show the list without the forgotten thread.
      const input = await deps.overview(teamId, body.user.id);
      await client.views.publish({ user_id: body.user.id, view: { type: 'home', blocks: overviewBlocks(input) } });
    } else {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    }
  });
}

async function forgetFor(deps: OverviewDeps, teamId: string, userId: string, key: string): Promise<string> {
  const mine = (await deps.recent.list(teamId, userId)).some((t) => t.key === key);
  if (!mine) return 'You can only make the bot forget threads you asked it something in.';
  await deps.forget(key);
  await deps.recent.remove(teamId, userId, key);
  deps.logger.info('conversation forgotten', { conversation: key, user: userId });
  return 'Done: the bot has forgotten that thread. A new message there starts afresh.';
}

/** Channel and thread root of a Slack message link (archives/C…/p1700000000000100[?thread_ts=…]). */
export function parseThreadLink(text: string): { channel: string; threadTs: string } | undefined {
  const match = /archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})(?:[^\s>|]*?[?&]thread_ts=(\d+\.\d+))?/.exec(text);
  if (!match) return undefined;
  const [, channel = '', seconds = '', micros = '', threadTs] = match;
  return { channel, threadTs: threadTs ?? `${seconds}.${micros}` };
}
