// Where a Slack question becomes a Claude turn. Two halves: `accept`, on the ack path, only puts
// the question durably in its thread's inbox (src/intake/); `work`, on a worker, answers a question
// taken from the inbox: the loading state, the turn itself (rendered live by ThreadSink), and
// clean-up. A question taken again after its worker died gets a note first (intake/resume.ts).
import type { SetStatusFn, types, webApi } from '@slack/bolt';
import type { TurnInput, TurnOptions } from '../agent/index.js';
import type { AgentSink, Usage } from '../agent/types.js';
import type { AcceptResult, Inbox, Outcome, TakenQuestion } from '../intake/index.js';
import type { ToolProvider } from '../mcp/types.js';
import { checkMessageLength, mayUse, policyTurnOptions, serverAllowed, turnDeadline, type PersonLimits, type Policy } from '../policy/index.js';
import { withResources, type ResourceReader } from './intake/attachments.js';
import type { FileLoader } from './intake/files.js';
import type { Approvals } from './questions/approvals.js';
import { withCallContext } from './questions/call-context.js';
import type { Logger } from '../log.js';
import type { SpendKeeper } from '../spend/index.js';
import type { Question } from './intake/question.js';
import { postOnce } from './reply/post-once.js';
import { questionId, replyMetadata } from './reply/reply-metadata.js';
import { ReplyWriter } from './reply/reply-writer.js';
import { INTERRUPTED_TEXT, noPriorAnswer, resumption, type FindPriorAnswer, type PartialReply } from './intake/resume.js';
import { ThreadSink } from './reply/thread-sink.js';
import { toolFileShower } from './reply/upload.js';
import { askedFileKind } from './reply/answer-file.js';
import { DEFAULT_UPLOAD_MAX_BYTES, uploadCap } from '../files/upload-caps.js';
import { recentEntry, type RecentThreads } from './home/recent-threads.js';
import { usageBlock } from './reply/usage.js';
import { noTelemetry, type QuestionRefusal, type Telemetry } from '../observe/telemetry.js';
import type { ConnectGate } from './oauth/connect.js';

/** The agent side, as Slack needs it: run one turn of a conversation into a sink. */
export interface TurnRunner {
  /** `saved` false: the answer was given but could not be stored (the store went away meanwhile). */
  runTurn(
    key: string,
    userText: TurnInput['userText'],
    sink: AgentSink,
    signal?: AbortSignal,
    options?: TurnOptions,
  ): Promise<{ usage: Usage; status: string; saved: boolean; /** The conversation's token use so far, this turn included. */ totalUsage?: Usage }>;
}

export interface AnswerOptions {
  flushIntervalMs: number;
  progressIntervalMs: number;
  keepAliveMs: number;
  maxMessageChars: number;
  /** Past this many characters an answer's stream stops and the whole answer is posted as a file (ANSWER_AS_FILE_CHARS; 0 or absent: only when asked). */
  answerAsFileChars?: number;
  /** A tool's text result this long is also posted as a file (TOOL_TEXT_AS_FILE_CHARS; 0 or absent: never). */
  toolTextAsFileChars?: number;
  /** The largest file uploaded into the thread (UPLOAD_MAX_BYTES); the policy's limits.fileBytes lowers it. */
  uploadMaxBytes?: number;
  feedbackActionId: string;
  loadingMessages: string[];
}

export interface AnswerDeps {
  turns: TurnRunner;
  /** Where accepted questions wait for a worker; also knows which threads are the bot's. */
  inbox: Inbox;
  /** Tells the workers a question was accepted. */
  wake: () => void;
  /** The Web API client the workers answer with (the app's: a question may outlive its event). */
  client: () => webApi.WebClient;
  /** Looks in the thread for an answer an interrupted attempt finished (intake/resume.ts). */
  priorAnswer?: FindPriorAnswer;
  recent: RecentThreads;
  /** Who may ask, which tools each conversation gets, approvals and limits. */
  policy: Policy;
  /** The hub; wrapped per turn in the policy. */
  tools: ToolProvider;
  approvals: Approvals;
  /** Questions per minute and answers at once per person (policy limits), counted when a turn starts. */
  limits?: PersonLimits;
  /** Spend per person (src/spend/): the daily cap before a turn, the turn's cost recorded after it. */
  spend?: SpendKeeper;
  /** Reads resources attached to a question with resource:<uri>. */
  resources?: ResourceReader;
  /** Downloads the files attached to a question (intake/files.ts). */
  files?: FileLoader;
  /** OAuth servers: the person's own tools, or a Connect button and the question parked (oauth/connect.ts). */
  connect?: ConnectGate;
  /** Aborted at shutdown when the grace period is over: turns still running stop. */
  shutdown?: AbortSignal;
  logger: Logger;
  options: AnswerOptions;
  /** Questions by outcome, turn latency, one trace per question (src/observe/); default none. */
  telemetry?: Telemetry;
}

/** What a turn writes to the thread with: the client and the thread's loading state. */
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

/** The thread's tools from a client: setStatus as Bolt's listener argument builds it. */
export function threadTools(client: webApi.WebClient, question: Pick<Question, 'channel' | 'threadTs'>): ThreadTools {
  const setStatus: SetStatusFn = (status) =>
    client.assistant.threads.setStatus({ channel_id: question.channel, thread_ts: question.threadTs, ...(typeof status === 'string' ? { status } : status) });
  return { client, setStatus };
}

export type Answerer = ReturnType<typeof createAnswerer>;

export function createAnswerer(deps: AnswerDeps) {
  const { inbox, logger } = deps;
  const telemetry = deps.telemetry ?? noTelemetry;
  const priorAnswer = deps.priorAnswer ?? noPriorAnswer;
  return {
    /**
     * The ack path: claims the message's ids (event id, channel + ts, so Slack's retries and the
     * app_mention/message twins count once) and appends it to its thread's inbox, in one atomic
     * step; the thread is the bot's from then on. No Web API or model call. Rejects if the inbox
     * is out of reach: then Slack must not be acked, so it sends the event again.
     */
    async accept(question: Question, eventId: string | undefined, options: AcceptOptions = {}): Promise<AcceptResult> {
      const ids = [`msg:${question.channel}:${question.ts}`];
      if (eventId) ids.push(`event:${eventId}`);
      const result = await inbox.accept(question, { ids, onlyIfEngaged: options.onlyIfEngaged === true });
      if (result === 'accepted') {
        telemetry.question('accepted');
        deps.wake();
      } else logger.debug(result === 'duplicate' ? 'duplicate event ignored' : 'message ignored', { conversation: question.key, eventId, reason: result });
      return result;
    },

    /**
     * A question that waited for a sign-in, back in its thread's inbox (from the OAuth callback, on
     * any replica): answered like a new one. `why` keeps the claim unique (the server signed in to).
     */
    async resume(question: Question, why: string): Promise<AcceptResult> {
      const result = await inbox.accept(question, { ids: [`resume:${why}:${question.channel}:${question.ts}`], onlyIfEngaged: false });
      if (result === 'accepted') deps.wake();
      return result;
    },

    /** A worker's side: answers a question taken from the inbox. 'released': the bot stopped under it. */
    async work(taken: TakenQuestion): Promise<Outcome> {
      const { question } = taken.entry;
      const tools = threadTools(deps.client(), question);
      const next = await resumption(question, taken.attempt, priorAnswer);
      if (next.kind !== 'fresh') logger.info('question taken again', { conversation: question.key, attempt: taken.attempt, resumption: next.kind });
      if (next.kind === 'skip') return 'finished';
      if (next.kind === 'give-up' || next.kind === 'redo') {
        if (next.partial) await markInterrupted(tools.client, question, next.partial, logger);
        if (next.kind === 'give-up') {
          // Marked done, so a later takeover finds the question settled instead of trying again.
          await notice(tools.client, question, 'gave-up', next.sentence, logger, true);
          return 'finished';
        }
        await notice(tools.client, question, `resumed:${taken.attempt}`, next.note, logger);
      }
      await answer(deps, question, tools, taken.lost, taken.attempt, taken.entry.acceptedAt);
      // Stopped by the shutdown: a durable inbox keeps it, and the next start (or replica) redoes it.
      return deps.shutdown?.aborted && inbox.durable ? 'released' : 'finished';
    },
  };
}

/** `attempt`: which take of the question this is (more than 1 after a worker died mid-answer). */
async function answer(deps: AnswerDeps, question: Question, { client, setStatus }: ThreadTools, lockLost: AbortSignal, attempt = 1, acceptedAt = Date.now()): Promise<void> {
  const { options } = deps;
  const telemetry = deps.telemetry ?? noTelemetry;
  const log = deps.logger.child({ conversation: question.key });
  const startedAt = Date.now();
  let firstTextMs: number | undefined;
  const who = { userId: question.userId, channel: question.channel, isDirect: question.isDirect };
  const refusal = refusalFor(deps.policy, question, who);
  if (refusal) {
    log.info('question refused', { user: question.userId, reason: refusal.text });
    telemetry.question('refused', refusal.reason);
    // The refusal is the whole reply to this question: marked done, so a resumed question is not answered.
    await notice(client, question, 'refused', `:no_entry: ${refusal.text}`, log, true);
    return;
  }
  const capped = await deps.spend?.admit({ teamId: question.teamId, userId: question.userId });
  if (capped?.ok === false) {
    log.info('question over the daily spend cap', { user: question.userId });
    telemetry.question('refused', 'daily_spend');
    await notice(client, question, 'limited', `:hourglass: ${capped.message}`, log, true);
    return;
  }
  const admitted = await deps.limits?.admit({ teamId: question.teamId, userId: question.userId, questionId: `${question.channel}:${question.ts}` });
  if (admitted?.ok === false) {
    log.info('question over a per-person limit', { user: question.userId, limit: admitted.limit });
    telemetry.question('refused', admitted.limit === 'questionsPerMinute' ? 'questions_per_minute' : 'turns_in_flight');
    await notice(client, question, 'limited', `:hourglass: ${admitted.message}`, log, true);
    return;
  }
  let tools = deps.tools;
  if (deps.connect) {
    const gate = await deps.connect(question, client, (server) => serverAllowed(deps.policy, server, who)).catch((error: unknown) => {
      log.warn('could not look up the person\'s connected servers; answering with the shared ones', { error: errorText(error) });
      return undefined;
    });
    if (gate?.kind === 'parked') {
      log.info('question waits for a sign-in', { servers: gate.servers });
      await admitted?.release();
      return;
    }
    if (gate) tools = gate.tools;
  }
  log.info('turn started', { user: question.userId, chars: question.text.length });

  // None of these is needed for the answer: a failure is logged and the answer goes on. The model
  // call does not wait for them; the first write to the thread waits for the loading status (the
  // sink's `before`), so the status never lands after the reply. No :eyes: reaction and no call
  // to clear the status: the status says the bot is working, and Slack clears it when the app
  // replies ("The status will be automatically cleared when the app sends a reply",
  // https://docs.slack.dev/reference/methods/assistant.threads.setStatus).
  const cosmetic = (what: string, call: Promise<unknown>) =>
    call.catch((error: unknown) => log.warn(`${what} failed`, { error: errorText(error) }));
  const before = cosmetic('setStatus', setStatus({ status: 'is working on it…', loading_messages: options.loadingMessages }));
  const recent = cosmetic('recent threads', deps.recent.touch(question.teamId, question.userId, recentEntry(question)));

  const writer = new ReplyWriter(
    client,
    { channel: question.channel, threadTs: question.threadTs, questionTs: question.ts, attempt, recipientTeamId: question.teamId, recipientUserId: question.userId },
    log,
    { maxMessageChars: options.maxMessageChars },
  );
  // The thread's token use after this turn comes with the turn's one store write; the closing
  // blocks wait for it (and for the recent-threads entry, long done by then), so the reply's last
  // Slack call, the one that marks it done, comes after everything the turn stores and says.
  let stored: (outcome: Stored) => void = () => undefined;
  const turnStored = new Promise<Stored>((resolve) => (stored = resolve));
  const sink = new ThreadSink(writer, log, {
    flushIntervalMs: options.flushIntervalMs,
    progressIntervalMs: options.progressIntervalMs,
    keepAliveMs: options.keepAliveMs,
    allowedUserIds: new Set([question.userId]),
    before,
    finalBlocks: async (turnUsage) => {
      const [{ total, unsaved }] = await Promise.all([turnStored, recent]);
      if (unsaved) {
        // The answer stands, but the thread will not remember it: say so rather than let a follow-up surprise.
        await cosmetic(
          'unsaved note',
          notice(client, question, 'unsaved', ':warning: I could not save this exchange (my store was unreachable), so I will not remember it in this thread.', log),
        );
      }
      return [...(total ? [usageBlock(turnUsage, total)] : []), ...feedbackBlocks(options.feedbackActionId)];
    },
    onFirstText: () => {
      firstTextMs = Date.now() - startedAt;
      telemetry.turn('first_words', (Date.now() - acceptedAt) / 1000);
    },
    showFiles: toolFileShower({ client, channel: question.channel, threadTs: question.threadTs }, log, {
      maxBytes: uploadCap(options.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES, deps.policy.limits.fileBytes),
      // A redo runs the tools again: their files that the dead attempt showed are not shown twice.
      ...(attempt > 1 ? { shownAfter: question.ts } : {}),
    }),
    answerFile: { asked: askedFileKind(question.text), pastChars: options.answerAsFileChars },
    toolTextAsFileChars: options.toolTextAsFileChars,
  });
  // Who this turn's tool calls and approvals are for: this thread, this person.
  const callContext = { kind: 'slack' as const, client, conversation: question.key, channel: question.channel, threadTs: question.threadTs, questionTs: question.ts, askedBy: question.userId };
  const approver = deps.approvals.approverFor(callContext);
  const policyOptions = policyTurnOptions(tools, deps.policy, { ...who, conversationKey: question.key }, { approver, logger: log });
  // Each call carries who it is for, so a server's question during it reaches this thread.
  const turnOptions = { ...policyOptions, tools: withCallContext(policyOptions.tools, callContext) };
  // Also stopped if the thread's lock is lost: another replica may be answering its next message.
  const deadline = turnDeadline(deps.policy.limits.turnSeconds, deps.shutdown ? AbortSignal.any([deps.shutdown, lockLost]) : lockLost);
  let usage: Usage | undefined;
  let outcome: Stored = { unsaved: false };
  let answered = false;
  try {
    const text = deps.resources ? await withResources(question.text, deps.resources, (server) => serverAllowed(deps.policy, server, who)) : question.text;
    // Files are downloaded here, on the worker, after the policy let the question in (refusalFor).
    const files = question.files && deps.files ? await deps.files(question.files, deadline.signal, deps.policy.limits.fileBytes) : undefined;
    if (files?.note) await cosmetic('files note', notice(client, question, 'files', files.note, log));
    const result = await deps.turns.runTurn(question.key, files ? files.content(text) : text, sink, deadline.signal, turnOptions);
    usage = result.usage;
    answered = result.status === 'done';
    outcome = { total: result.totalUsage, unsaved: result.status === 'done' && !result.saved };
  } catch (error) {
    log.error('turn failed', { error: errorText(error) });
    sink.emit({ type: 'failed', message: 'Something went wrong while answering; please try again.', error });
  } finally {
    deadline.clear();
    // The person's slot is free before the answer reads done, so a question sent after it is taken.
    await admitted?.release();
    stored(outcome);
  }
  await sink.settled();
  await before;
  // Nothing reached the thread (Slack refused every write): no reply clears the status, so clear it.
  if (writer.messageTs.length === 0) await cosmetic('setStatus', setStatus({ status: '' }));
  await recent;
  telemetry.question(answered ? 'answered' : 'failed');
  telemetry.turn('done', (Date.now() - acceptedAt) / 1000);
  // After the answer is posted: the spend's store writes never hold up what the person sees.
  if (usage) await deps.spend?.record({ teamId: question.teamId, userId: question.userId, channel: question.channel, questionId: questionId(question.channel, question.ts), usage });
  log.info('turn answered', { ms: Date.now() - startedAt, firstTextMs, messages: writer.messageTs.length, streamed: writer.streaming, ...usage });
}

/** How a turn's one store write went: the thread's token use after it, and whether it was lost. */
interface Stored {
  total?: Usage;
  unsaved: boolean;
}

/** Why this question is not answered (access policy, length limit), or undefined. */
function refusalFor(policy: Policy, question: Question, who: { userId: string; channel: string; isDirect: boolean }): { reason: QuestionRefusal; text: string } | undefined {
  const access = mayUse(policy, who);
  if (!access.ok) return { reason: 'access', text: access.reason };
  const length = checkMessageLength(question.text, policy.limits.messageChars);
  return length.ok ? undefined : { reason: 'too_long', text: length.message };
}

/** The reply a dead attempt left half done: its stream ended, its text replaced by a word that it was cut off. */
async function markInterrupted(client: webApi.WebClient, question: Question, { ts, unstopped }: PartialReply, logger: Logger): Promise<void> {
  // A stream nobody stopped stays "streaming" until Slack ends it; stopping it first lets it be edited.
  if (unstopped) {
    await client.chat.stopStream({ channel: question.channel, ts }).catch((error: unknown) => logger.warn('could not stop an interrupted stream', { conversation: question.key, error: errorText(error) }));
  }
  // A stream nobody stopped carries no key yet: it gets one now, so a redo that looks for its own
  // unkeyed stream (a lost startStream, reply-writer.ts) never takes this message for it.
  const metadata = unstopped ? { metadata: replyMetadata({ question: questionId(question.channel, question.ts), part: 'interrupted' }) } : {};
  await client.chat
    .update({ channel: question.channel, ts, text: INTERRUPTED_TEXT, blocks: [], ...metadata })
    .catch((error: unknown) => logger.warn('could not mark an interrupted answer', { conversation: question.key, error: errorText(error) }));
}

/** A one-line message about a question in its thread, posted once (part 'notice:<name>'). */
function notice(client: webApi.WebClient, question: Question, name: string, text: string, logger: Logger, done = false): Promise<string> {
  const key = { question: questionId(question.channel, question.ts), part: `notice:${name}` };
  return postOnce({ client, channel: question.channel, threadTs: question.threadTs }, key, { text }, logger, done);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
