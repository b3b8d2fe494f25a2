// Where a Slack question becomes a Claude turn: dedupe, queue per thread, the loading state, the
// turn itself (rendered live by ThreadSink), and clean-up. The listeners only classify events and
// call `accept`.
import type { SetStatusFn, types, webApi } from '@slack/bolt';
import type { TurnOptions } from '../agent/index.js';
import type { AgentSink, Usage } from '../agent/types.js';
import type { ToolProvider } from '../mcp/types.js';
import { checkMessageLength, mayUse, policyTurnOptions, serverAllowed, turnDeadline, type Policy } from '../policy/index.js';
import { withResources, type ResourceReader } from './attachments.js';
import type { Approvals } from './approvals.js';
import { withCallContext } from './call-context.js';
import { conversationLock, type Coordinator } from '../coordination/index.js';
import type { Logger } from '../log.js';
import type { Dedupe } from './dedupe.js';
import type { EngagedThreads } from './engaged.js';
import type { KeyedQueue } from './queue.js';
import type { Question } from './question.js';
import { postOnce } from './post-once.js';
import { questionId } from './reply-metadata.js';
import { ReplyWriter } from './reply-writer.js';
import { ThreadSink } from './thread-sink.js';
import { recentEntry, type RecentThreads } from './recent-threads.js';
import { sumUsage, usageBlock, type UsageLedger } from './usage.js';

/** The agent side, as Slack needs it: run one turn of a conversation into a sink. */
export interface TurnRunner {
  /** `saved` false: the answer was given but could not be stored (the store went away meanwhile). */
  runTurn(key: string, userText: string, sink: AgentSink, signal?: AbortSignal, options?: TurnOptions): Promise<{ usage: Usage; status: string; saved: boolean }>;
}

export interface AnswerOptions {
  flushIntervalMs: number;
  progressIntervalMs: number;
  keepAliveMs: number;
  maxMessageChars: number;
  feedbackActionId: string;
  loadingMessages: string[];
}

export interface AnswerDeps {
  turns: TurnRunner;
  dedupe: Dedupe;
  /** Thread locks shared with the other replicas (in-process when there are none). */
  locks: Pick<Coordinator, 'withLock'>;
  queue: KeyedQueue;
  engaged: EngagedThreads;
  usage: UsageLedger;
  recent: RecentThreads;
  /** Who may ask, which tools each conversation gets, approvals and limits. */
  policy: Policy;
  /** The hub; wrapped per turn in the policy. */
  tools: ToolProvider;
  approvals: Approvals;
  /** Reads resources attached to a question with resource:<uri>. */
  resources?: ResourceReader;
  /** Aborted at shutdown when the grace period is over: turns still running stop. */
  shutdown?: AbortSignal;
  logger: Logger;
  options: AnswerOptions;
}

/** What a listener has for the thread: Bolt's client and setStatus. */
export interface ThreadTools {
  client: webApi.WebClient;
  setStatus: SetStatusFn;
}

export const FEEDBACK_ACTION_ID = 'answer_feedback';

export function feedbackBlocks(actionId: string): types.KnownBlock[] {
  return [
    {
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: actionId,
          positive_button: { text: { type: 'plain_text', text: 'Good answer' }, value: 'good', accessibility_label: 'Mark this answer as good' },
          negative_button: { text: { type: 'plain_text', text: 'Bad answer' }, value: 'bad', accessibility_label: 'Mark this answer as bad' },
        },
      ],
    },
  ];
}

export interface AcceptOptions {
  /** A plain message in a channel thread: answered only if the bot is already part of the thread. */
  onlyIfEngaged?: boolean;
}

export function createAnswerer(deps: AnswerDeps) {
  const { dedupe, locks, queue, engaged, logger } = deps;
  return {
    /**
     * Queues a question on its thread at once, in the order events arrive; everything that needs
     * the store happens inside the queue, so a later message of the thread can never overtake an
     * earlier one. There the event id and channel + ts are claimed, so Slack's retries and the
     * app_mention/message twins of one message are answered once (by whichever replica claims
     * first); then the thread's lock is taken, so the turns of a thread run one after another
     * across replicas, each reading the history the one before it saved. The engaged check is
     * under the lock: the turn before may be the one that engages the bot in the thread.
     */
    accept(question: Question, eventId: string | undefined, tools: ThreadTools, options: AcceptOptions = {}): Promise<boolean> {
      return queue.run(question.key, async () => {
        // Let the other requests that have arrived be acked before this turn takes the event loop:
        // in a burst of mentions, Slack's acks no longer wait behind the first turns' work.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const ids = [`msg:${question.channel}:${question.ts}`];
        if (eventId) ids.push(`event:${eventId}`);
        let first: boolean;
        try {
          first = await dedupe.claim(ids);
        } catch (error) {
          // The store (Redis) is away: say so rather than drop the question without a word.
          logger.error('could not claim an event', { conversation: question.key, error: errorText(error) });
          if (options.onlyIfEngaged) return false; // it may not even be for the bot
          await notice(tools.client, question, 'store-unreachable', ':warning: I cannot reach my store right now, so I cannot answer; please ask again in a minute.', logger).catch(() => undefined);
          return false;
        }
        if (!first) {
          logger.debug('duplicate event ignored', { conversation: question.key, eventId });
          return false;
        }
        return locks.withLock(conversationLock(question.key), async (lockLost) => {
          if (options.onlyIfEngaged && !(await engaged.has(question.key))) {
            logger.debug('message ignored', { reason: 'thread the bot is not part of' });
            return false;
          }
          await answer(deps, question, tools, lockLost);
          return true;
        });
      });
    },
  };
}

async function answer(deps: AnswerDeps, question: Question, { client, setStatus }: ThreadTools, lockLost: AbortSignal): Promise<void> {
  const { options } = deps;
  const log = deps.logger.child({ conversation: question.key });
  const startedAt = Date.now();
  let firstTextMs: number | undefined;
  const who = { userId: question.userId, channel: question.channel, isDirect: question.isDirect };
  const refusal = refusalFor(deps.policy, question, who);
  if (refusal) {
    log.info('question refused', { user: question.userId, reason: refusal });
    // The refusal is the whole reply to this question: marked done, so a resumed question is not answered.
    await notice(client, question, 'refused', `:no_entry: ${refusal}`, log, true);
    return;
  }
  log.info('turn started', { user: question.userId, chars: question.text.length });

  // None of these is needed for the answer: a failure is logged and the answer goes on. The model
  // call does not wait for them; the first write to the thread does (the sink's `before`).
  const cosmetic = (what: string, call: Promise<unknown>) =>
    call.catch((error: unknown) => log.warn(`${what} failed`, { error: errorText(error) }));
  const before = Promise.all([
    cosmetic('reactions.add', client.reactions.add({ channel: question.channel, timestamp: question.ts, name: 'eyes' })),
    cosmetic('setStatus', setStatus({ status: 'is working on it…', loading_messages: options.loadingMessages })),
    cosmetic('recent threads', deps.recent.touch(question.teamId, question.userId, recentEntry(question))),
  ]);
  const threadUsage = deps.usage.get(question.key).catch(() => undefined);

  const writer = new ReplyWriter(
    client,
    { channel: question.channel, threadTs: question.threadTs, questionTs: question.ts, recipientTeamId: question.teamId, recipientUserId: question.userId },
    log,
    { maxMessageChars: options.maxMessageChars },
  );
  const sink = new ThreadSink(writer, log, {
    flushIntervalMs: options.flushIntervalMs,
    progressIntervalMs: options.progressIntervalMs,
    keepAliveMs: options.keepAliveMs,
    allowedUserIds: new Set([question.userId]),
    before,
    finalBlocks: async (turnUsage) => {
      const past = await threadUsage;
      return [...(past ? [usageBlock(turnUsage, sumUsage(past, turnUsage))] : []), ...feedbackBlocks(options.feedbackActionId)];
    },
    onFirstText: () => (firstTextMs = Date.now() - startedAt),
  });
  const approver = deps.approvals.approverFor({ client, conversation: question.key, channel: question.channel, threadTs: question.threadTs, questionTs: question.ts, askedBy: question.userId });
  const policyOptions = policyTurnOptions(deps.tools, deps.policy, { ...who, conversationKey: question.key }, { approver, logger: log });
  // Each call carries who it is for, so a server's question during it reaches this thread.
  const callContext = { kind: 'slack' as const, client, conversation: question.key, channel: question.channel, threadTs: question.threadTs, questionTs: question.ts, askedBy: question.userId };
  const turnOptions = { ...policyOptions, tools: withCallContext(policyOptions.tools, callContext) };
  // Also stopped if the thread's lock is lost: another replica may be answering its next message.
  const deadline = turnDeadline(deps.policy.limits.turnSeconds, deps.shutdown ? AbortSignal.any([deps.shutdown, lockLost]) : lockLost);
  let usage: Usage | undefined;
  let unsaved = false;
  try {
    const text = deps.resources ? await withResources(question.text, deps.resources, (server) => serverAllowed(deps.policy, server, who)) : question.text;
    const result = await deps.turns.runTurn(question.key, text, sink, deadline.signal, turnOptions);
    usage = result.usage;
    unsaved = result.status === 'done' && !result.saved;
    await deps.usage.add(question.key, usage).catch((error: unknown) => log.warn('could not record usage', { error: errorText(error) }));
  } catch (error) {
    log.error('turn failed', { error: errorText(error) });
    sink.emit({ type: 'failed', message: 'Something went wrong while answering; please try again.', error });
  } finally {
    deadline.clear();
  }
  await sink.settled();
  await before;
  if (unsaved) {
    // The answer stands, but the thread will not remember it: say so rather than let a follow-up surprise.
    await cosmetic(
      'unsaved note',
      notice(client, question, 'unsaved', ':warning: I could not save this exchange (my store was unreachable), so I will not remember it in this thread.', log),
    );
  }
  await deps.engaged.mark(question.key).catch((error: unknown) => log.warn('could not mark the thread', { error: errorText(error) }));
  await Promise.all([
    cosmetic('reactions.remove', client.reactions.remove({ channel: question.channel, timestamp: question.ts, name: 'eyes' })),
    cosmetic('setStatus', setStatus({ status: '' })),
  ]);
  log.info('turn answered', { ms: Date.now() - startedAt, firstTextMs, messages: writer.messageTs.length, streamed: writer.streaming, ...usage });
}

/** Why this question is not answered (access policy, length limit), or undefined. */
function refusalFor(policy: Policy, question: Question, who: { userId: string; channel: string; isDirect: boolean }): string | undefined {
  const access = mayUse(policy, who);
  if (!access.ok) return access.reason;
  const length = checkMessageLength(question.text, policy.limits.messageChars);
  return length.ok ? undefined : length.message;
}

/** A one-line message about a question in its thread, posted once (part 'notice:<name>'). */
function notice(client: webApi.WebClient, question: Question, name: string, text: string, logger: Logger, done = false): Promise<string> {
  const key = { question: questionId(question.channel, question.ts), part: `notice:${name}` };
  return postOnce({ client, channel: question.channel, threadTs: question.threadTs }, key, { text }, logger, done);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
