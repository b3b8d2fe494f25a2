// A server asks the person for input during a tool call (MCP elicitation). Form mode: the person
// who asked gets a Block Kit form in the thread, built from the requested schema (string, number,
// integer, boolean, enum; defaults filled in) with Send / Decline / Cancel. URL mode: only https
// links (http only to this machine); the link, its host shown plainly, goes privately to the person
// (an ephemeral message with Open / Decline / Cancel), and the thread only says that a page was
// asked for and on which host. The answer goes back to the server; no answer in time declines.
// Answers go through the pending board (the store), like approvals, so any replica may receive the
// click. Everything the server wrote is escaped (escape.ts); labels and hints are plain_text, which
// Slack does not parse.
import { randomUUID } from 'node:crypto';
import type { App, BlockAction, ButtonAction, types, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { checkElicitationContent, checkElicitationUrl } from '../../mcp/index.js';
import type { ElicitationField, ElicitationHandler, ElicitationResponse, ElicitationValue } from '../../mcp/types.js';
import type { Store } from '../../store.js';
import { slackContextOf } from './call-context.js';
import { clippedMrkdwn, escapeMrkdwn } from '../reply/escape.js';
import { clickPlace, tellClicker } from './click.js';
import { dateDefault, fieldBlockId, numberInputLimits, textInputLimits } from './form-fields.js';
import { createPendingBoard, type Answered, type Settle } from './pending.js';
import { postOnce } from '../reply/post-once.js';
import { questionId } from '../reply/reply-metadata.js';

export const ELICIT_SEND = 'elicit_send';
export const ELICIT_OPEN = 'elicit_open';
export const ELICIT_DECLINE = 'elicit_decline';
export const ELICIT_CANCEL = 'elicit_cancel';
const FIELD_ACTION = 'value';
const RESTARTED = ':warning: The bot restarted while this question waited, so the tool call was not finished. Please ask again.';
/** A button's url: at most 3,000 characters (docs.slack.dev/reference/block-kit/block-elements/button-element). */
const MAX_BUTTON_URL = 3000;

interface ElicitationRecord {
  id: string;
  askedBy: string;
  server: string;
  fields: ElicitationField[];
}

export interface ElicitationsOptions {
  store: Store;
  logger: Logger;
  /** How long a question waits for the person. Default 10 minutes. */
  timeoutMs?: number;
  pollMs?: number;
  /** The first answer wins, atomically across replicas (Coordinator.settle). */
  settle: Settle;
}

export function createElicitations(options: ElicitationsOptions) {
  const { store, logger } = options;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const board = createPendingBoard<ElicitationResponse>(store, options.settle, 'elicit', options.pollMs);
  const key = (id: string) => `elicit:${id}`;

  const handler: ElicitationHandler = async (request, context, extras) => {
    const target = slackContextOf(context);
    // Nobody to ask (a call from outside a Slack thread): decline rather than wait for nothing.
    if (!target) return { action: 'decline' };
    const server = escapeMrkdwn(request.server);
    const tellAsker = (text: string) =>
      target.client.chat
        .postEphemeral({ channel: target.channel, user: target.askedBy, thread_ts: target.threadTs, text })
        .then(() => true)
        .catch((error: unknown) => {
          logger.warn('could not tell the asker privately', { conversation: target.conversation, error: String(error) });
          return false;
        });
    let host = '';
    if (request.mode === 'url') {
      const checked = checkElicitationUrl(request.url);
      if (!checked.ok) {
        await tellAsker(`:warning: ${server} asked you to open a link, but ${checked.reason}, so the bot declined.`);
        logger.warn('elicitation link refused; declined', { conversation: target.conversation, server: request.server, reason: checked.reason });
        return { action: 'decline' };
      }
      host = checked.host;
      if (request.url.length > MAX_BUTTON_URL) {
        // Slack refuses a button whose url is longer (invalid_blocks), and a cut link leads nowhere.
        await tellAsker(`:warning: ${server} asked you to open a link of ${request.url.length} characters; Slack takes at most ${MAX_BUTTON_URL} in a button, so the bot declined.`);
        logger.warn('elicitation link too long for Slack; declined', { conversation: target.conversation, server: request.server, chars: request.url.length });
        return { action: 'decline' };
      }
    }
    const record: ElicitationRecord = { id: randomUUID(), askedBy: target.askedBy, server: request.server, fields: request.mode === 'form' ? request.fields : [] };
    await store.set(key(record.id), record, timeoutMs + 60_000);
    await board.open(record.id, timeoutMs);
    const postedTs = await postOnce(
      target,
      { question: questionId(target.channel, target.questionTs ?? target.threadTs), part: `form:${record.id}` },
      request.mode === 'form'
        ? // The notification text is read as mrkdwn too: what the server wrote must not ping anyone.
          { text: `${server} asks: ${clippedMrkdwn(request.message, 2000)}`, blocks: formBlocks(record, request.message) }
        : // The link itself goes only to the asker, below; the thread learns the host, not the page.
          { text: `:link: <@${record.askedBy}>, ${server} asks you to open a page on ${escapeMrkdwn(host)}. The link is shown only to you.` },
      logger,
    );
    if (request.mode === 'url') {
      const shown = await target.client.chat
        .postEphemeral({ channel: target.channel, user: target.askedBy, thread_ts: target.threadTs, text: `${server} asks you to open a page on ${escapeMrkdwn(host)}`, blocks: linkBlocks(record, request.message, request.url, host) })
        .then(() => true)
        .catch((error: unknown) => {
          logger.warn('could not show the link privately; declined', { conversation: target.conversation, error: String(error) });
          return false;
        });
      if (!shown) {
        await board.close(record.id).catch(() => undefined);
        if (postedTs) {
          await target.client.chat
            .update({ channel: target.channel, ts: postedTs, text: `:speech_balloon: ${server}'s link could not be shown to <@${record.askedBy}> privately, so it was declined.`, blocks: [] })
            .catch((error: unknown) => logger.warn('could not update the question', { error: String(error) }));
        }
        return { action: 'decline' };
      }
    }
    logger.info('elicitation asked', { conversation: target.conversation, server: request.server, mode: request.mode, elicitation: record.id });
    const answered = await board.wait(record.id, Date.now() + timeoutMs, extras.signal);
    await board.close(record.id).catch(() => undefined);
    const response: ElicitationResponse = answered?.answer ?? { action: 'decline' };
    const how = !answered
      ? extras.signal.aborted
        ? 'was withdrawn by the server'
        : `got no answer within ${Math.round(timeoutMs / 60_000)} min, so it was declined`
      : response.action === 'accept'
        ? `was answered by <@${answered.by}>`
        : `was ${response.action === 'decline' ? 'declined' : 'cancelled'} by <@${answered.by}>`;
    if (postedTs) {
      await target.client.chat
        .update({ channel: target.channel, ts: postedTs, text: `:speech_balloon: ${escapeMrkdwn(request.server)}'s question ${how}.`, blocks: [] })
        .catch((error: unknown) => logger.warn('could not update the question', { error: String(error) }));
    }
    logger.info('elicitation answered', { conversation: target.conversation, elicitation: record.id, action: response.action });
    return response;
  };

  return {
    handler,
    register(app: App): void {
      const answer =
        (action: 'accept' | 'decline' | 'cancel') =>
        async ({ ack, body, action: button, client }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; client: webApi.WebClient }) => {
          await ack();
          const id = button.value ?? '';
          const user = body.user.id;
          const { channel, messageTs } = clickPlace(body);
          const tell = tellClicker(client, body);
          const record = (await store.get(key(id))) as ElicitationRecord | undefined;
          if (!record) return tell('This question is no longer waiting for an answer.');
          if (user !== record.askedBy) return tell(`Only <@${record.askedBy}> can answer this question.`);
          let response: ElicitationResponse = { action: action === 'accept' ? 'accept' : action };
          if (action === 'accept' && body.actions[0]?.action_id === ELICIT_SEND) {
            const parsed = readForm(record.fields, body.state?.values ?? {});
            if (!parsed.ok) return tell(`Please fix: ${escapeMrkdwn(parsed.problems.join('; '))}`);
            response = { action: 'accept', content: parsed.content };
          }
          const result = await board.answer(id, response, user);
          if (result.kind === 'answered-already') return tell(answeredBefore(result.decided));
          if (result.kind === 'nobody-waiting') {
            // A link's private message cannot be edited (chat.update takes no ephemeral message): say it instead.
            if ((body.container as { is_ephemeral?: unknown }).is_ephemeral === true) {
              return tell(RESTARTED);
            }
            if (messageTs && channel) {
              await client.chat.update({ channel, ts: messageTs, text: RESTARTED, blocks: [] });
            }
          }
        };
      app.action<BlockAction<ButtonAction>>(ELICIT_SEND, answer('accept'));
      app.action<BlockAction<ButtonAction>>(ELICIT_OPEN, answer('accept'));
      app.action<BlockAction<ButtonAction>>(ELICIT_DECLINE, answer('decline'));
      app.action<BlockAction<ButtonAction>>(ELICIT_CANCEL, answer('cancel'));
    },
  };
}

export type Elicitations = ReturnType<typeof createElicitations>;

/** What a click that lost the race is told: what was answered, and by whom. */
function answeredBefore(decided: Answered<ElicitationResponse> | undefined): string {
  if (!decided) return 'This question is no longer waiting for an answer.';
  const how = decided.answer.action === 'accept' ? 'answered' : decided.answer.action === 'decline' ? 'declined' : 'cancelled';
  return `This question was already ${how} by <@${decided.by}>; your click changed nothing.`;
}

function header(record: ElicitationRecord, message: string): types.KnownBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: `:speech_balloon: <@${record.askedBy}>, *${escapeMrkdwn(record.server)}* asks:\n${clippedMrkdwn(message, 2000)}` },
  };
}

function buttons(record: ElicitationRecord, first: types.Button): types.KnownBlock {
  return {
    type: 'actions',
    elements: [
      first,
      { type: 'button', action_id: ELICIT_DECLINE, text: { type: 'plain_text', text: 'Decline' }, value: record.id },
      { type: 'button', action_id: ELICIT_CANCEL, text: { type: 'plain_text', text: 'Cancel' }, value: record.id },
    ],
  };
}

export function formBlocks(record: ElicitationRecord, message: string): types.KnownBlock[] {
  return [
    header(record, message),
    ...record.fields.slice(0, 45).map((field, index) => inputBlock(field, index)),
    buttons(record, { type: 'button', action_id: ELICIT_SEND, style: 'primary', text: { type: 'plain_text', text: 'Send' }, value: record.id }),
  ];
}

/**
 * The private message of a URL request: the server's words, the host on a line of its own, the
 * whole link as plain text (Slack parses nothing in plain_text, and a link of at most 3,000
 * characters fits a section whole), and the buttons.
 */
function linkBlocks(record: ElicitationRecord, message: string, url: string, host: string): types.KnownBlock[] {
  return [
    header(record, message),
    { type: 'section', text: { type: 'mrkdwn', text: `:link: The page is on *${escapeMrkdwn(host)}*. The whole link:` } },
    { type: 'section', text: { type: 'plain_text', text: url, emoji: false } },
    buttons(record, { type: 'button', action_id: ELICIT_OPEN, style: 'primary', text: { type: 'plain_text', text: 'Open' }, url, value: record.id }),
  ];
}

const plain = (text: string, max = 150) => ({ type: 'plain_text' as const, text: (text || ' ').slice(0, max) });
const option = (o: { value: string; label: string }) => ({ text: plain(o.label, 75), value: o.value.slice(0, 150) });

function inputBlock(field: ElicitationField, index: number): types.KnownBlock {
  const base = {
    type: 'input' as const,
    block_id: fieldBlockId(field.name, index),
    label: plain(field.title ?? field.name, 2000),
    optional: !field.required,
    ...(field.description ? { hint: plain(field.description, 2000) } : {}),
  };
  switch (field.type) {
    case 'string':
      if (field.format === 'date') {
        const initial = dateDefault(field.default);
        return { ...base, element: { type: 'datepicker', action_id: FIELD_ACTION, ...(initial ? { initial_date: initial } : {}) } };
      }
      if (field.format === 'email') return { ...base, element: { type: 'email_text_input', action_id: FIELD_ACTION, ...(field.default ? { initial_value: field.default } : {}) } };
      if (field.format === 'uri') return { ...base, element: { type: 'url_text_input', action_id: FIELD_ACTION, ...(field.default ? { initial_value: field.default } : {}) } };
      return {
        ...base,
        element: {
          type: 'plain_text_input',
          action_id: FIELD_ACTION,
          ...textInputLimits(field),
        },
      };
    case 'number':
    case 'integer':
      return {
        ...base,
        element: {
          type: 'number_input',
          action_id: FIELD_ACTION,
          is_decimal_allowed: field.type === 'number',
          ...numberInputLimits(field),
        },
      };
    case 'boolean': {
      const yes = { text: plain('Yes'), value: 'true' };
      // A checkbox cannot be "required" to be ticked: false is an answer too.
      return { ...base, optional: true, element: { type: 'checkboxes', action_id: FIELD_ACTION, options: [yes], ...(field.default ? { initial_options: [yes] } : {}) } };
    }
    case 'enum': {
      const options = field.options.slice(0, 100).map(option);
      const initial = options.find((o) => o.value === field.default);
      return { ...base, element: { type: 'static_select', action_id: FIELD_ACTION, options, ...(initial ? { initial_option: initial } : {}) } };
    }
    case 'multi-enum': {
      const options = field.options.slice(0, 100).map(option);
      const initial = options.filter((o) => field.default?.includes(o.value));
      return { ...base, element: { type: 'multi_static_select', action_id: FIELD_ACTION, options, ...(initial.length > 0 ? { initial_options: initial } : {}) } };
    }
  }
}

interface FieldState {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
  selected_date?: string | null;
}

/** The form's answers as the server asked for them, or what is wrong with them. */
export function readForm(
  fields: ElicitationField[],
  values: Record<string, Record<string, FieldState>>,
): { ok: true; content: Record<string, ElicitationValue> } | { ok: false; problems: string[] } {
  const content: Record<string, ElicitationValue> = {};
  const problems: string[] = [];
  const unreadable = new Set<string>();
  const label = (field: ElicitationField) => field.title ?? field.name;
  for (const [index, field] of fields.entries()) {
    const state = values[fieldBlockId(field.name, index)]?.[FIELD_ACTION] ?? {};
    let value: ElicitationValue | undefined;
    switch (field.type) {
      case 'string':
        value = (state.selected_date ?? state.value ?? undefined) || undefined;
        break;
      case 'number':
      case 'integer': {
        if (state.value == null || state.value === '') break;
        const n = Number(state.value);
        if (Number.isFinite(n)) value = n;
        else {
          unreadable.add(field.name);
          problems.push(`${label(field)} must be a number`);
        }
        break;
      }
      case 'boolean':
        value = (state.selected_options ?? []).some((o) => o.value === 'true');
        break;
      case 'enum':
        value = state.selected_option?.value;
        break;
      case 'multi-enum': {
        // Nothing chosen is no answer (so minItems applies only to an answer given).
        const chosen = (state.selected_options ?? []).map((o) => o.value);
        value = chosen.length > 0 ? chosen : undefined;
        break;
      }
    }
    if (value !== undefined) content[field.name] = value;
  }
  // The schema's own rules (required, bounds, lengths, formats, choices), as the server would check them.
  const broken = checkElicitationContent(fields, content);
  for (const field of fields) {
    const problem = broken[field.name];
    if (problem && !unreadable.has(field.name)) problems.push(`${label(field)} ${problem}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, content };
}
