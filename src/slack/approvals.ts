// Approval of a tool call in Slack: a message in the thread shows server, tool and arguments with
// Approve / Deny buttons; only the person who asked (or a configured approver) can decide. The
// decision goes through the store, not memory: any replica may receive the click, and the waiting
// turn reads it from there. A request whose waiting turn is gone (the bot restarted) fails closed:
// the click is refused with a clear message and nothing runs.
import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction, types, webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import { mayApprove, type ApprovalDecision, type Approver, type Policy } from '../policy/index.js';
import type { Store } from '../store.js';

type Decision = ApprovalDecision['decision'];

interface ApprovalRecord {
  id: string;
  conversation: string;
  channel: string;
  threadTs: string;
  messageTs?: string;
  askedBy: string;
  server: string;
  tool: string;
  expiresAt: number;
  decision?: Decision;
  decidedBy?: string;
}

export interface ApprovalsOptions {
  store: Store;
  logger: Logger;
  /** Who may decide besides the person who asked (policy.approvers). */
  policy: Policy;
  /** How often the waiting turn looks for a decision made on another replica. Default 1 s. */
  pollMs?: number;
}

export const APPROVE_ACTION_ID = 'tool_approve';
export const DENY_ACTION_ID = 'tool_deny';

export interface ApprovalTarget {
  client: webApi.WebClient;
  conversation: string;
  channel: string;
  threadTs: string;
  askedBy: string;
}

export function createApprovals(options: ApprovalsOptions) {
  const { store, logger } = options;
  const pollMs = options.pollMs ?? 1000;
  // The waiting turn refreshes its heartbeat every poll; five missed polls mean it is gone.
  const staleMs = pollMs * 5;
  const key = (id: string) => `approval:${id}`;
  // The heartbeat has a key of its own, so the waiter never rewrites the record a click writes to.
  const heartbeatKey = (id: string) => `approval-heartbeat:${id}`;
  /** Wakes a waiter in this process at once; other replicas find the decision by polling. */
  const wakers = new Map<string, () => void>();

  async function wait(record: ApprovalRecord, signal: AbortSignal): Promise<ApprovalDecision> {
    for (;;) {
      if (signal.aborted) return { decision: 'expired' };
      const current = (await store.get(key(record.id))) as ApprovalRecord | undefined;
      if (current?.decision) return { decision: current.decision, by: current.decidedBy };
      const left = record.expiresAt - Date.now();
      if (left <= 0) return { decision: 'expired' };
      await store.set(heartbeatKey(record.id), Date.now(), left + 60_000);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(pollMs, left));
        signal.addEventListener('abort', wake, { once: true });
        wakers.set(record.id, wake);
      });
      wakers.delete(record.id);
    }
  }

  return {
    /** An Approver for one question: it asks in that question's thread. */
    approverFor(target: ApprovalTarget): Approver {
      return {
        async request(request) {
          const record: ApprovalRecord = {
            id: randomUUID(),
            conversation: target.conversation,
            channel: target.channel,
            threadTs: target.threadTs,
            askedBy: target.askedBy,
            server: request.server,
            tool: request.tool,
            expiresAt: Date.now() + request.timeoutMs,
          };
          await store.set(key(record.id), record, request.timeoutMs + 60_000);
          await store.set(heartbeatKey(record.id), Date.now(), request.timeoutMs + 60_000);
          const posted = await target.client.chat.postMessage({
            channel: target.channel,
            thread_ts: target.threadTs,
            text: `Approval needed: ${request.server}/${request.tool}`,
            blocks: approvalBlocks(record, request.args, request.timeoutMs),
          });
          record.messageTs = posted.ts;
          await store.set(key(record.id), record, request.timeoutMs + 60_000);
          logger.info('approval requested', { conversation: record.conversation, server: record.server, tool: record.tool, approval: record.id });
          const outcome = await wait(record, request.signal);
          const stopped = request.signal.aborted && request.signal.reason === 'cancelled';
          await store.set(key(record.id), { ...record, decision: outcome.decision, decidedBy: outcome.by }, 60_000);
          const verdict =
            outcome.decision === 'approved'
              ? `:white_check_mark: Approved by <@${outcome.by}>: \`${record.server}/${record.tool}\` runs now.`
              : outcome.decision === 'denied'
                ? `:no_entry: Denied by <@${outcome.by}>: \`${record.server}/${record.tool}\` did not run.`
                : stopped
                  ? `:octagonal_sign: The answer was stopped: \`${record.server}/${record.tool}\` did not run.`
                  : `:hourglass: No decision within ${minutes(request.timeoutMs)}: \`${record.server}/${record.tool}\` did not run.`;
          if (record.messageTs) {
            await target.client.chat
              .update({ channel: record.channel, ts: record.messageTs, text: verdict, blocks: [] })
              .catch((error: unknown) => logger.warn('could not update the approval message', { error: String(error) }));
          }
          logger.info('approval decided', { conversation: record.conversation, approval: record.id, decision: outcome.decision, by: outcome.by });
          return outcome;
        },
      };
    },

    /** The Approve / Deny buttons. */
    register(app: App): void {
      const decide = (decision: 'approved' | 'denied') =>
        async ({ ack, body, action, client }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; client: webApi.WebClient }) => {
          await ack();
          const id = action.value ?? '';
          const user = body.user.id;
          const channel = body.channel?.id ?? body.container.channel_id;
          const tell = (text: string) =>
            channel
              ? client.chat.postEphemeral({ channel, user, text, thread_ts: body.message?.thread_ts }).then(() => undefined)
              : Promise.resolve();
          const record = (await store.get(key(id))) as ApprovalRecord | undefined;
          logger.info('approval click', { approval: id, user, decision, pending: record !== undefined && !record.decision });
          if (!record || record.decision) return tell('This request is no longer waiting for a decision.');
          if (!mayApprove(options.policy, { userId: user, askerId: record.askedBy })) {
            return tell(`Only <@${record.askedBy}> or an approver can decide on this call.`);
          }
          const heartbeat = ((await store.get(heartbeatKey(id))) as number | undefined) ?? 0;
          if (Date.now() - heartbeat > staleMs) {
            // Nobody waits for this decision any more: say so instead of pretending the call will run.
            await store.set(key(id), { ...record, decision: 'expired' }, 60_000);
            // The click names its message: the dead turn may not have saved the ts before it died.
            const messageTs = body.message?.ts ?? record.messageTs;
            if (messageTs && channel) {
              await client.chat.update({
                channel,
                ts: messageTs,
                text: `:warning: The bot restarted while \`${record.server}/${record.tool}\` waited for approval, so it did not run. Please ask again.`,
                blocks: [],
              });
            }
            return;
          }
          await store.set(key(id), { ...record, decision, decidedBy: user }, 60_000);
          wakers.get(id)?.();
        };
      app.action<BlockAction<ButtonAction>>(APPROVE_ACTION_ID, decide('approved'));
      app.action<BlockAction<ButtonAction>>(DENY_ACTION_ID, decide('denied'));
    },
  };
}

export type Approvals = ReturnType<typeof createApprovals>;

function approvalBlocks(record: ApprovalRecord, args: unknown, timeoutMs: number): types.KnownBlock[] {
  let json = JSON.stringify(args ?? {}, null, 2);
  if (json.length > 2500) json = json.slice(0, 2500) + '\n…';
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:raised_hand: <@${record.askedBy}>, Claude wants to run \`${record.server}/${record.tool}\`, which can change things. Approve within ${minutes(timeoutMs)}?`,
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: '```' + json.replace(/```/g, '`\u200b``') + '```' } },
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: record.id },
        { type: 'button', action_id: DENY_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: record.id },
      ],
    },
  ];
}

function minutes(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 1 ? `${m} min` : `${Math.round(ms / 1000)} s`;
}
