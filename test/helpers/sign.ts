// Builds and signs requests the way Slack sends them to an app over HTTP, so tests can drive a real
// Bolt HTTPReceiver: Events API envelopes (JSON) and interactivity payloads (form-encoded
// `payload=`). Signature: 'v0=' + hex HMAC-SHA256(signing secret, `v0:${timestamp}:${rawBody}`),
// with the timestamp in x-slack-request-timestamp; Bolt refuses a wrong one or one older than 5 min.
import { createHmac, randomBytes } from 'node:crypto';

export interface SignOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with a wrong secret, as a forger would. */
  badSignature?: boolean;
  /** A timestamp 10 minutes old, as a replayed request would carry. */
  stale?: boolean;
}

export interface SignedHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
}

export function signRequest(secret: string, rawBody: string, options: SignOptions = {}): SignedHeaders {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = options.timestamp ?? (options.stale ? now - 10 * 60 : now);
  const key = options.badSignature ? `${secret}-not` : secret;
  return { 'x-slack-signature': slackSignature(key, timestamp, rawBody), 'x-slack-request-timestamp': String(timestamp) };
}

// ---- ids -------------------------------------------------------------------------------------------

let lastMicros = 0;

/** A unique, increasing message ts ("seconds.micros"), like Slack's. */
export function nextTs(): string {
  lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
  return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
}

export function eventId(): string {
  return 'Ev' + randomBytes(6).toString('hex').toUpperCase();
}

// ---- Events API ------------------------------------------------------------------------------------

export const DEFAULT_TEAM_ID = 'T0FAKE0001';
export const DEFAULT_BOT_USER_ID = 'U0FAKEBOT1';
export const DEFAULT_APP_ID = 'A0FAKEAPP1';

export interface EventInput {
  channel: string;
  user: string;
  text: string;
  /** The message's ts; default a fresh one. */
  ts?: string;
  thread_ts?: string;
  /** For message events; default from the channel id: D -> im, G -> group, else channel. */
  channel_type?: 'im' | 'channel' | 'group' | 'mpim';
  subtype?: string;
  bot_id?: string;
  /** More event fields (files, blocks, ...), merged last. */
  extra?: Record<string, unknown>;
}

export interface EnvelopeOptions {
  team_id?: string;
  api_app_id?: string;
  event_id?: string;
  /** Unix seconds; default now. */
  event_time?: number;
  /** The bot user the event is delivered to (authorizations[0].user_id). */
  bot_user_id?: string;
}

export interface EventEnvelope {
  token: string;
  team_id: string;
  api_app_id: string;
  event: Record<string, unknown> & { type: string; ts: string; channel: string };
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: { enterprise_id: null; team_id: string; user_id: string; is_bot: true; is_enterprise_install: false }[];
  is_ext_shared_channel: false;
  event_context: string;
}

/** An event_callback envelope around an app_mention or message event. */
export function eventEnvelope(type: 'app_mention' | 'message', input: EventInput, options: EnvelopeOptions = {}): EventEnvelope {
  const team = options.team_id ?? DEFAULT_TEAM_ID;
  const ts = input.ts ?? nextTs();
  const event: EventEnvelope['event'] = { type, user: input.user, text: input.text, ts, channel: input.channel, event_ts: ts, team };
  if (input.thread_ts !== undefined) event.thread_ts = input.thread_ts;
  if (type === 'message') event.channel_type = input.channel_type ?? channelType(input.channel);
  if (input.subtype !== undefined) event.subtype = input.subtype;
  if (input.bot_id !== undefined) event.bot_id = input.bot_id;
  Object.assign(event, input.extra);
  return {
    token: 'legacy-verification-token',
    team_id: team,
    api_app_id: options.api_app_id ?? DEFAULT_APP_ID,
    event,
    type: 'event_callback',
    event_id: options.event_id ?? eventId(),
    event_time: options.event_time ?? Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: team,
        user_id: options.bot_user_id ?? DEFAULT_BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: 'EC' + randomBytes(8).toString('hex'),
  };
}

export function appMention(input: EventInput, options?: EnvelopeOptions): EventEnvelope {
  return eventEnvelope('app_mention', input, options);
}

export function messageEvent(input: EventInput, options?: EnvelopeOptions): EventEnvelope {
  return eventEnvelope('message', input, options);
}

function channelType(channel: string): 'im' | 'group' | 'channel' {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return 'group';
  return 'channel';
}

// ---- interactivity ---------------------------------------------------------------------------------

export interface BlockActionInput {
  action_id: string;
  /** The clicked value (a button's value). */
  value?: string;
  /** The element type; feedback buttons arrive as 'feedback_buttons'. */
  action_type?: string;
  block_id?: string;
  user: string;
  channel: string;
  /** The message the button is on. */
  message_ts: string;
  thread_ts?: string;
  team_id?: string;
  api_app_id?: string;
  /**
   * Where respond() posts: use fake.responseUrl(). The default goes nowhere (the discard port on
   * localhost), so a test that forgets it fails fast instead of reaching Slack.
   */
  response_url?: string;
}

/** A block_actions payload, as Slack posts it when someone clicks a button in a message. */
export function blockActionsPayload(input: BlockActionInput): Record<string, unknown> {
  const team = input.team_id ?? DEFAULT_TEAM_ID;
  const actionTs = nextTs();
  const container: Record<string, unknown> = {
    type: 'message',
    message_ts: input.message_ts,
    channel_id: input.channel,
    is_ephemeral: false,
  };
  const message: Record<string, unknown> = { type: 'message', ts: input.message_ts, user: DEFAULT_BOT_USER_ID, text: '' };
  if (input.thread_ts !== undefined) {
    container.thread_ts = input.thread_ts;
    message.thread_ts = input.thread_ts;
  }
  return {
    type: 'block_actions',
    user: { id: input.user, username: `user_${input.user.toLowerCase()}`, name: `user_${input.user.toLowerCase()}`, team_id: team },
    api_app_id: input.api_app_id ?? DEFAULT_APP_ID,
    token: 'legacy-verification-token',
    container,
    trigger_id: `${Date.now()}.${randomBytes(4).readUInt32BE(0)}`,
    team: { id: team, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel, name: 'fake-channel' },
    message,
    state: { values: {} },
    response_url: input.response_url ?? 'http://127.0.0.1:9/response-url-not-set',
    actions: [
      {
        action_id: input.action_id,
        block_id: input.block_id ?? 'block',
        type: input.action_type ?? 'button',
        ...(input.value !== undefined ? { value: input.value } : {}),
        action_ts: actionTs,
      },
    ],
  };
}

// ---- sending ---------------------------------------------------------------------------------------

export interface PostOptions extends SignOptions {
  signingSecret: string;
  /** Sends x-slack-retry-num (and x-slack-retry-reason), as Slack does when it redelivers. */
  retryNum?: number;
  retryReason?: string;
}

/** POSTs a signed Events API envelope (JSON), as Slack does. */
export function postEvent(url: string, envelope: unknown, options: PostOptions): Promise<Response> {
  return postSigned(url, JSON.stringify(envelope), 'application/json', options);
}

/** POSTs a signed interactivity payload, form-encoded as `payload=<json>`, as Slack does. */
export function postInteraction(url: string, payload: unknown, options: PostOptions): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postSigned(url, body, 'application/x-www-form-urlencoded', options);
}

export interface SlashCommandInput {
  text: string;
  user: string;
  channel: string;
  responseUrl: string;
  command?: string;
}

/** POSTs a signed slash command, form-encoded with the fields Slack sends. */
export function postSlashCommand(url: string, input: SlashCommandInput, options: PostOptions): Promise<Response> {
  const body = new URLSearchParams({
    command: input.command ?? '/mcp',
    text: input.text,
    user_id: input.user,
    team_id: DEFAULT_TEAM_ID,
    channel_id: input.channel,
    response_url: input.responseUrl,
    trigger_id: `${Date.now()}.${eventId()}`,
    api_app_id: DEFAULT_APP_ID,
    token: 'legacy',
  }).toString();
  return postSigned(url, body, 'application/x-www-form-urlencoded', options);
}

function postSigned(url: string, rawBody: string, contentType: string, options: PostOptions): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': contentType, ...signRequest(options.signingSecret, rawBody, options) };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  return fetch(url, { method: 'POST', headers, body: rawBody });
}
