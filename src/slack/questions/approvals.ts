// Approval of a tool call in Slack: a message in the thread shows server, tool and arguments with
// Approve / Deny buttons; only the person who asked (or a configured approver) can decide. The
// decision goes through the store, not memory: any replica may receive the click, and the waiting
// turn reads it from there. A request whose waiting turn is gone (the bot restarted) fails closed:
// the click is refused with a clear message and nothing runs.
//
// The message shows every argument (call-view.ts), and "Show full call" opens the call exactly as it
// will be sent. Server and tool names and arguments are untrusted: they are escaped (escape.ts).
import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction, types, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { mayApprove, type ApprovalDecision, type ApprovalRequest, type Approver, type Policy } from '../../policy/index.js';
import type { Store } from '../../store.js';
import { argumentSections, fullCallView } from './call-view.js';
import type { SlackCallContext } from './call-context.js';
import { clickPlace, tellClicker } from './click.js';
import { escapeMrkdwn, inlineCode } from '../reply/escape.js';
import { createPendingBoard, type Answered, type Settle } from './pending.js';
import { postOnce } from '../reply/post-once.js';
import type { Metrics } from '../../observe/telemetry.js';
import { questionId } from '../reply/reply-metadata.js';


export interface ApprovalRecord {
  id: string;
  conversation: string;
  channel: string;
  threadTs: string;
  askedBy: string;
  server: string;
  tool: string;
  /** The call's arguments as they will be sent, for "Show full call" on any replica. */
  args: unknown;
  expiresAt: number;
}

export interface ApprovalsOptions {
  store: Store;
  logger: Logger;
  /** Who may decide besides the person who asked (policy.approvers). */
  policy: Policy;
  /** How often the waiting turn looks for a decision made on another replica. Default 1 s. */
  pollMs?: number;
  /** The first click wins, atomically across replicas (Coordinator.settle). */
  settle: Settle;
  /** Counts decisions by outcome (src/observe/); default none. */
  metrics?: Pick<Metrics, 'approval'>;
}

export const APPROVE_ACTION_ID = 'tool_approve';
export const DENY_ACTION_ID = 'tool_deny';
export const FULL_CALL_ACTION_ID = 'tool_full_call';

/** Where an approval is asked, and for whom: a tool call's Slack context (call-context.ts). */
export type ApprovalTarget = Omit<SlackCallContext, 'kind'>;

export function createApprovals(options: ApprovalsOptions) {
  const { store, logger } = options;
  const key = (id: string) => `approval:${id}`;
  const board = createPendingBoard<ApprovalAnswer>(store, options.settle, 'approval', options.pollMs);
  /** Requests under way: shutdown waits for them, so a stopped one still says it did not run. */
  const inFlight = new Set<Promise<unknown>>();

  return {
    /** An Approver for one question: it asks in that question's thread. */
    approverFor(target: ApprovalTarget, headline: (record: ApprovalRecord, timeoutMs: number) => string = toolHeadline): Approver {
      return {
        request(request) {
          const work = ask(request);
          inFlight.add(work);
          void work.finally(() => inFlight.delete(work)).catch(() => undefined);
          return work;
        },
      };

      async function ask(request: ApprovalRequest): Promise<ApprovalDecision> {
        const record: ApprovalRecord = {
          id: randomUUID(),
          conversation: target.conversation,
          channel: target.channel,
          threadTs: target.threadTs,
          askedBy: target.askedBy,
          server: request.server,
          tool: request.tool,
          args: request.args,
          expiresAt: Date.now() + request.timeoutMs,
        };
        await store.set(key(record.id), record, request.timeoutMs + 60_000);
        await board.open(record.id, request.timeoutMs);
        const postedTs = await postOnce(
          target,
          { question: questionId(target.channel, target.questionTs ?? target.threadTs), part: `approval:${record.id}` },
          { text: `Approval needed: ${escapeMrkdwn(`${request.server}/${request.tool}`)}`, blocks: approvalBlocks(record.id, headline(record, request.timeoutMs), request.args) },
          logger,
        );
        logger.info('approval requested', { conversation: record.conversation, server: record.server, tool: record.tool, approval: record.id });
        const answered = await board.wait(record.id, record.expiresAt, request.signal);
        const outcome: ApprovalDecision = answered ? { decision: answered.answer, by: answered.by } : { decision: 'expired' };
        const stopped = request.signal.aborted && request.signal.reason === 'cancelled';
        const call = callName(record);
        const verdict =
          outcome.decision === 'approved'
            ? `:white_check_mark: Approved by <@${outcome.by}>: ${call} runs now.`
            : outcome.decision === 'denied'
              ? `:no_entry: Denied by <@${outcome.by}>: ${call} did not run.`
              : stopped
                ? `:octagonal_sign: The answer was stopped: ${call} did not run.`
                : `:hourglass: No decision within ${minutes(request.timeoutMs)}: ${call} did not run.`;
        if (postedTs) {
          await target.client.chat
            .update({ channel: record.channel, ts: postedTs, text: verdict, blocks: [] })
            .catch((error: unknown) => logger.warn('could not update the approval message', { error: String(error) }));
        }
        await board.close(record.id).catch((error: unknown) => logger.warn('could not close the approval', { error: String(error) }));
        logger.info('approval decided', { conversation: record.conversation, approval: record.id, decision: outcome.decision, by: outcome.by });
        options.metrics?.approval(outcome.decision);
        return outcome;
      }
    },

    /** Resolves when every request under way has finished (its message says how it ended). */
    async idle(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },

    /** The Approve / Deny buttons. */
    register(app: App): void {
      const decide = (decision: 'approved' | 'denied') =>
        async ({ ack, body, action, client }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; client: webApi.WebClient }) => {
          await ack();
          const id = action.value ?? '';
          const user = body.user.id;
          const { channel, messageTs } = clickPlace(body);
          const tell = tellClicker(client, body);
          const record = (await store.get(key(id))) as ApprovalRecord | undefined;
          logger.info('approval click', { approval: id, user, decision });
          if (!record) return tell('This request is no longer waiting for a decision.');
          if (!mayApprove(options.policy, { userId: user, askerId: record.askedBy })) {
            return tell(`Only <@${record.askedBy}> or an approver can decide on this call.`);
          }
          const result = await board.answer(id, decision, user);
          if (result.kind === 'answered-already') {
            logger.info('approval click came too late', { approval: id, user, decision, decided: result.decided?.answer, by: result.decided?.by });
            return tell(decidedBefore(record, result.decided));
          }
          if (result.kind === 'nobody-waiting') {
            // Nobody waits for this decision any more (the bot restarted or died): say so instead of
            // pretending the call will run. The click names its message; the dead turn may not have
            // saved anything about it.
            if (messageTs && channel) {
              await client.chat.update({
                channel,
                ts: messageTs,
                text: `:warning: The bot restarted while ${callName(record)} waited for approval, so it did not run. Please ask again.`,
                blocks: [],
              });
            }
          }
        };
      app.action<BlockAction<ButtonAction>>(APPROVE_ACTION_ID, decide('approved'));
      app.action<BlockAction<ButtonAction>>(DENY_ACTION_ID, decide('denied'));
      // The whole call in a modal, for those who may decide on it.
      app.action<BlockAction<ButtonAction>>(FULL_CALL_ACTION_ID, async ({ ack, body, action, client }) => {
        await ack();
        const tell = tellClicker(client, body);
        const record = (await store.get(key(action.value ?? ''))) as ApprovalRecord | undefined;
        if (!record) return tell('This request is no longer waiting for a decision.');
        if (!mayApprove(options.policy, { userId: body.user.id, askerId: record.askedBy })) {
          return tell(`Only <@${record.askedBy}> or an approver can see this call.`);
        }
        // A trigger lives 3 s (views.open); a slow replica may miss it, and a second click works.
        await client.views.open({ trigger_id: body.trigger_id, view: fullCallView(record) }).catch((error: unknown) => {
          logger.warn('could not open the whole call', { approval: record.id, error: String(error) });
          return tell('The whole call could not be shown just now; please click again.');
        });
      });
    },
  };
}

export type Approvals = ReturnType<typeof createApprovals>;

/** `server/tool` as code, escaped: both names come from the servers file and the server. */
function callName(record: { server: string; tool: string }): string {
  return inlineCode(`${record.server}/${record.tool}`);
}

type ApprovalAnswer = 'approved' | 'denied';

/** What a click that lost the race is told: what was decided, and by whom. */
function decidedBefore(record: Pick<ApprovalRecord, 'server' | 'tool'>, decided: Answered<ApprovalAnswer> | undefined): string {
  if (!decided) return 'This request is no longer waiting for a decision.';
  const call = callName(record);
  return decided.answer === 'approved'
    ? `<@${decided.by}> already approved ${call}, so it runs; your click changed nothing.`
    : `<@${decided.by}> already denied ${call}, so it does not run; your click changed nothing.`;
}

function toolHeadline(record: ApprovalRecord, timeoutMs: number): string {
  return `:raised_hand: <@${record.askedBy}>, Claude wants to run ${callName(record)}, which can change things. Approve within ${minutes(timeoutMs)}?`;
}

export function samplingHeadline(record: ApprovalRecord, timeoutMs: number): string {
  return `:raised_hand: <@${record.askedBy}>, the server ${inlineCode(record.server)} asks to use Claude for a reply of its own (the messages it sends are below). Allow within ${minutes(timeoutMs)}?`;
}

/** The approval message: headline, every argument (long ones shortened), Approve / Deny / Show full call. */
export function approvalBlocks(id: string, headline: string, args: unknown): types.KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: headline } },
    ...argumentSections(args).map((text): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: id },
        { type: 'button', action_id: DENY_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: id },
        { type: 'button', action_id: FULL_CALL_ACTION_ID, text: { type: 'plain_text', text: 'Show full call' }, value: id },
      ],
    },
  ];
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} min` : `${Math.round(ms / 1000)} s`;
}
