// The App Home tab, the /mcp command, the Forget and Disconnect buttons: the connected servers and
// their tools, the person's accounts on OAuth servers, the person's recent threads, and forgetting a
// thread's history or an account's sign-in.
//
// Slack does not allow an app's slash commands inside threads, so "forget this thread" is a
// button next to each recent thread (Home tab and /mcp) or `/mcp forget <link to the thread>`.
//
// Every door here applies the access policy as a question would (src/policy/): a person the policy
// refuses gets only the refusal, and a server not allowed in the conversation is neither listed nor
// asked. The Home tab counts as the person's direct message with the bot.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { mayUse, seesSpend, serverAllowed, visibleCatalog, type Conversation, type Policy } from '../../policy/index.js';
import type { SpendSummary } from '../../spend/index.js';
import { postOnce } from '../reply/post-once.js';
import { questionId } from '../reply/reply-metadata.js';
import { DISCONNECT_ACTION_ID, FORGET_ACTION_ID, overviewBlocks, type OverviewInput } from './overview.js';
import type { Accounts } from '../oauth/accounts.js';
import { conversationKey } from '../intake/question.js';
import { clippedMrkdwn, escapeMrkdwn, inlineCode } from '../reply/escape.js';
import { parsePromptCommand, promptList, promptQuestion, resourceList, type PromptCatalog } from './prompts.js';
import type { RecentThreads } from './recent-threads.js';
import { spendBlocks } from './spend.js';

export interface OverviewDeps {
  command: string;
  /** The servers' prompts and resources; asked only for the servers the policy allows in a conversation. */
  catalog: PromptCatalog;
  policy: Policy;
  /** Answers `question` in the thread under the message `ts` (posted here), like any other question. */
  startThread: (input: { teamId: string; channel: string; userId: string; ts: string; question: string }) => Promise<void>;
  overview: (teamId: string, userId: string) => Promise<OverviewInput>;
  recent: RecentThreads;
  /** The team's spend of the last days, shown on the Home tab to the policy's approvers only. */
  spend?: (teamId: string) => Promise<SpendSummary>;
  /** Forgets a conversation's history (and its token totals). */
  forget: (key: string) => Promise<void>;
  /** The person's accounts on OAuth servers (TOKEN_ENCRYPTION_KEY set); without it, no such section. */
  accounts?: Accounts;
  logger: Logger;
}

const HELP = (command: string) =>
  [
    `\`${command}\` shows the connected MCP servers, their tools and your recent threads.`,
    `\`${command} forget <link to a thread>\` makes the bot forget that thread's history.`,
    `On servers where each person signs in, \`${command}\` shows whether you are connected, with Connect or Disconnect.`,
    `\`${command} prompts\` lists the servers' prompts; \`${command} prompt server/name key=value …\` runs one in a new thread.`,
    `\`${command} resources\` lists resources; put \`resource:<uri>\` in a question to attach one.`,
  ].join('\n');

export function registerOverviewListeners(app: App, deps: OverviewDeps): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const blocks = await homeBlocks(deps, body.team_id, homeOf(event.user, event.channel));
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks } });
  });

  app.command(deps.command, async ({ command, ack, respond, client }) => {
    await ack();
    const [verb = '', ...rest] = command.text.trim().split(/\s+/);
    const where: Conversation = { userId: command.user_id, channel: command.channel_id, isDirect: command.channel_id.startsWith('D') };
    const access = mayUse(deps.policy, where);
    if (!access.ok) {
      deps.logger.info('command refused', { user: command.user_id, verb, reason: access.reason });
      return void (await respond({ response_type: 'ephemeral', text: `:no_entry: ${access.reason}` }));
    }
    const allowed = (server: string) => serverAllowed(deps.policy, server, where);
    if (verb === 'prompts') {
      return void (await respond({ response_type: 'ephemeral', text: promptList(await deps.catalog.listPrompts(allowed)) }));
    }
    if (verb === 'resources') {
      return void (await respond({ response_type: 'ephemeral', text: resourceList(await deps.catalog.listResources(allowed)) }));
    }
    if (verb === 'prompt') {
      const parsed = parsePromptCommand(rest.join(' '));
      if ('error' in parsed) return void (await respond({ response_type: 'ephemeral', text: parsed.error }));
      if (!allowed(parsed.server)) {
        return void (await respond({ response_type: 'ephemeral', text: `The server ${escapeMrkdwn(parsed.server)} is not available in this channel.` }));
      }
      try {
        const result = await deps.catalog.getPrompt(parsed.server, parsed.name, parsed.args);
        const intro = `:scroll: <@${command.user_id}> ran the prompt ${inlineCode(`${parsed.server}/${parsed.name}`)}${result.description ? `: ${clippedMrkdwn(result.description, 200)}` : ''}`;
        // Keyed by the command (its trigger_id is unique), so a lost response does not post it twice.
        const key = { question: questionId(command.channel_id, `prompt:${command.trigger_id}`), part: 'intro' };
        const ts = await postOnce({ client, channel: command.channel_id }, key, { text: intro }, deps.logger);
        await deps.startThread({ teamId: command.team_id, channel: command.channel_id, userId: command.user_id, ts, question: promptQuestion(result) });
      } catch (error) {
        await respond({ response_type: 'ephemeral', text: `That prompt could not be run: ${escapeMrkdwn(error instanceof Error ? error.message : String(error))}` });
      }
      return;
    }
    if (verb === '' || verb === 'status') {
      const input = await visibleOverview(deps, command.team_id, where);
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
      const blocks = await homeBlocks(deps, teamId, homeOf(body.user.id));
      await client.views.publish({ user_id: body.user.id, view: { type: 'home', blocks } });
    } else {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    }
  });

  app.action<BlockAction<ButtonAction>>(DISCONNECT_ACTION_ID, async ({ ack, body, action, client, respond }) => {
    await ack();
    const teamId = body.team?.id ?? body.user.team_id ?? 'T';
    const text = await disconnectFor(deps, { teamId, userId: body.user.id }, action.value ?? '');
    if (body.container.type === 'view') {
      // On the Home tab: show the account as not connected, with Connect.
      const blocks = await homeBlocks(deps, teamId, homeOf(body.user.id));
      await client.views.publish({ user_id: body.user.id, view: { type: 'home', blocks } });
    } else {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    }
  });
}

/** What the person is told after Disconnect. */
async function disconnectFor(deps: OverviewDeps, person: { teamId: string; userId: string }, server: string): Promise<string> {
  const name = escapeMrkdwn(server);
  try {
    const revoked = await deps.accounts?.disconnect(person, server);
    if (revoked === undefined) return `${name} is not a server you sign in to.`;
    const how = revoked === 'revoked' ? 'and the server has revoked it' : revoked === 'failed' ? 'but the server did not confirm revoking it; you can also revoke the bot\'s access in your account settings there' : 'the server offers no revocation; you can revoke the bot\'s access in your account settings there';
    return `Disconnected from *${name}*: the bot forgot your sign-in, ${how}.`;
  } catch (error) {
    deps.logger.warn('oauth disconnect failed', { server, error: error instanceof Error ? error.message : String(error) });
    return `Could not disconnect from *${name}* just now (the store did not answer); try again in a moment.`;
  }
}

/** The Home tab as a conversation: the person's direct message with the bot (its id when Slack gives it). */
function homeOf(userId: string, channel = ''): Conversation {
  return { userId, channel, isDirect: true };
}

/** The overview with only what the policy lets this conversation see. */
async function visibleOverview(deps: OverviewDeps, teamId: string, where: Conversation): Promise<OverviewInput> {
  const input = await deps.overview(teamId, where.userId);
  const accounts = deps.accounts ? await deps.accounts.list({ teamId, userId: where.userId }, (server) => serverAllowed(deps.policy, server, where)) : [];
  return { ...input, ...visibleCatalog(deps.policy, where, input), accounts };
}

/** The Home tab: the overview, or only the refusal for a person the policy refuses. */
async function homeBlocks(deps: OverviewDeps, teamId: string, where: Conversation): Promise<ReturnType<typeof overviewBlocks>> {
  const access = mayUse(deps.policy, where);
  if (!access.ok) return [{ type: 'section', text: { type: 'mrkdwn', text: `:no_entry: ${access.reason}` } }];
  const overview = overviewBlocks(await visibleOverview(deps, teamId, where));
  if (!deps.spend || !seesSpend(deps.policy, where.userId)) return overview;
  return [...overview, ...(await spendSection(deps.spend, teamId, deps.logger))];
}

/** The spend blocks, or one line saying they could not be read (the rest of the tab still shows). */
async function spendSection(spend: (teamId: string) => Promise<SpendSummary>, teamId: string, logger: Logger): Promise<ReturnType<typeof spendBlocks>> {
  try {
    return spendBlocks(await spend(teamId));
  } catch (error) {
    logger.warn('could not read the spend for App Home', { error: error instanceof Error ? error.message : String(error) });
    return [{ type: 'section', text: { type: 'mrkdwn', text: ':warning: The spend could not be read just now (the store did not answer); open the tab again in a moment.' } }];
  }
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
