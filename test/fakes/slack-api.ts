// A fake Slack Web API for tests. No test may reach slack.com, and nock-style mocks cannot see the
// native fetch that @slack/web-api 8 uses, so this is a real HTTP server on 127.0.0.1 that the real
// WebClient and Bolt talk to through `clientOptions: { slackApiUrl: fake.url + '/api/' }`.
//
// It does three jobs: it records every call (method, decoded body, token, time, answer); it keeps the
// state a person would see in Slack (messages after their updates, streams after their appends) so
// tests can assert on what users see rather than on call sequences; and it answers like Slack,
// including Slack's limits and errors, so code that would break on the real thing breaks here.
// Knobs inject 429s, 500s and platform errors, latency, streams that Slack ends on its own, and
// lost responses (the call is carried out, then the connection drops before the answer).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MESSAGE_LIST_LIMITS, validateBlocks, validateView } from './slack-blocks.js';

/** Slack's documented limits (checked against the notes in /work/shared/SLACK_NOTES.md). */
export interface Limits {
  /** Real Slack cuts `text` past 40,000 characters instead of failing; failing here makes tests notice. */
  text: number;
  /** `markdown_text` per call (postMessage, update, and each stream call). */
  markdownText: number;
  /**
   * What one streamed message may accumulate. Slack documents 12,000 per call, not per stream; we
   * assume the message as a whole holds no more than a posted one, so a sink that fits this fits Slack.
   */
  streamMarkdown: number;
  /** Blocks of one message (views take 100; every other Block Kit rule lives in slack-blocks.ts). */
  blocks: number;
  /** All `markdown` blocks of one message together. */
  markdownBlocks: number;
  loadingMessages: number;
  /** Total characters of a message's blocks; seen to fail with msg_blocks_too_long near 13k. Off unless set. */
  blocksTotalChars?: number;
}

export const SLACK_LIMITS: Limits = {
  text: 40_000,
  markdownText: 12_000,
  streamMarkdown: 12_000,
  blocks: MESSAGE_LIST_LIMITS.blocks,
  markdownBlocks: MESSAGE_LIST_LIMITS.markdownChars,
  loadingMessages: 10,
};

export type Json = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  /** The request's arguments; nested fields sent as JSON strings in form bodies are decoded. No token. */
  body: Json;
  token: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status of the answer; undefined while the call is in flight. */
  status?: number;
  /** The JSON answered (undefined for a 500, which answers plain text, or while in flight). */
  response?: Json;
  /** The call was carried out but its answer never reached the caller (loseResponseNext). */
  lost?: boolean;
  /** Set when a knob of the test chose this answer (failNext, respond, tokens, an expired stream). */
  injected?: boolean;
}

/** What the next call(s) of a method answer instead of the real thing. */
export type Failure = { status: 429; retryAfter?: number } | { status: 500 } | { error: string };

export interface TaskState {
  id: string;
  title: string;
  status: string;
  details?: string;
  output?: string;
}

export type StreamState = 'streaming' | 'stopped' | 'expired';

/** A message as people see it: its final content after updates, or a stream's accumulated content. */
export interface VisibleMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  bot_id?: string;
  text?: string;
  /** Posted markdown_text, or everything a stream received as markdown (markdown_text and chunks). */
  markdown_text?: string;
  blocks?: Json[];
  /** A stream's task_update chunks, last state per id, in the order the ids first appeared. */
  tasks: TaskState[];
  plan?: string;
  /** Set for messages made by chat.startStream. */
  stream?: StreamState;
  edited: boolean;
  reactions: string[];
  /** Files shared in this message (files.completeUploadExternal): id, name, title, mimetype, size. */
  files?: Json[];
}

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
  tz: string;
}

export interface FakeSlackOptions {
  teamId?: string;
  teamName?: string;
  botUserId?: string;
  botId?: string;
  /** Delay before every answer, to surface ordering bugs that instant answers hide. */
  latencyMs?: number;
  /** Streams with no append for this long end as Slack's do after ~5 minutes. Off unless set. */
  streamIdleMs?: number;
  /** If given, only these tokens are accepted (others get invalid_auth). Any token otherwise. */
  tokens?: string[];
  /** users.info answers; ids not listed get a made-up user if they look like user ids. */
  users?: Record<string, Partial<FakeUser>>;
  limits?: Partial<Limits>;
}

export type Handler = (body: Json, call: RecordedCall) => Json;

interface FakeFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Uint8Array;
  status?: number;
  slackConnect?: 'readable' | 'hidden';
}

/** Fields that Slack takes as JSON and the WebClient sends as JSON strings inside form bodies. */
const NESTED_FIELDS = new Set([
  'blocks',
  'attachments',
  'chunks',
  'metadata',
  'view',
  'loading_messages',
  'prompts',
  'unfurls',
  'files',
]);

const TASK_STATUSES = new Set(['pending', 'in_progress', 'complete', 'error']);

/** A platform error: answered as HTTP 200 `{ ok: false, error }`, the way Slack does. Handlers may throw it. */
export class PlatformError extends Error {
  /** Slack's `response_metadata.messages`, e.g. "[ERROR] must be ... [json-pointer:/blocks/0/text]". */
  constructor(
    readonly code: string,
    readonly messages: string[] = [],
    /** The answer comes from a knob of the test (an expired stream), not from a mistake of the bot. */
    readonly injected = false,
  ) {
    super(messages.length > 0 ? `${code}: ${messages.join('; ')}` : code);
  }
}

/** A call answered with an error (ok: false, or HTTP 4xx/5xx) that no knob of the test asked for. */
function isUnexpectedError(call: RecordedCall): boolean {
  if (call.injected || call.status === undefined) return false;
  return call.status !== 200 || call.response?.ok === false;
}

/** Every fake started in this process, so that strictSlack() can look at each after every test. */
export const startedFakes = new Set<FakeSlackApi>();

interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  user: string;
  bot_id?: string;
  text?: string;
  markdown_text?: string;
  blocks?: Json[];
  tasks: Map<string, TaskState>;
  plan?: string;
  stream?: { state: StreamState; lastActivity: number };
  /** Message metadata ({event_type, event_payload}); conversations.replies shows it only when asked. */
  metadata?: Json;
  edited: boolean;
  deleted: boolean;
  files?: Json[];
}

/** An upload started with files.getUploadURLExternal: its bytes once POSTed, and whether it was completed. */
interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  bytes?: Buffer;
  completed: boolean;
}

interface Waiter {
  check: () => boolean;
  fail: (error: Error) => void;
}

export async function startFakeSlackApi(options: FakeSlackOptions = {}): Promise<FakeSlackApi> {
  const fake = new FakeSlackApi(options);
  await fake.listen();
  return fake;
}

export class FakeSlackApi {
  readonly teamId: string;
  readonly teamName: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly limits: Limits;
  private server: Server;
  private address = '';
  private latencyMs: number;
  private readonly options: FakeSlackOptions;
  private readonly recorded: RecordedCall[] = [];
  private readonly failures = new Map<string, Failure[]>();
  private readonly lostResponses = new Map<string, number>();
  private readonly handlers = new Map<string, Handler>();
  private readonly files = new Map<string, FakeFile>();
  private readonly uploads = new Map<string, PendingUpload>();
  private readonly messagesByKey = new Map<string, StoredMessage>();
  private readonly reactionsByKey = new Map<string, Map<string, Set<string>>>();
  private readonly statusByThread = new Map<string, string>();
  private readonly ephemeralList: Json[] = [];
  private readonly homeViews = new Map<string, Json>();
  private readonly modalViews = new Map<string, Json>();
  private waiters = new Set<Waiter>();
  private lastMicros = 0;
  /** Calls takeUnexpectedErrors() has looked at. */
  private readonly checked = new WeakSet<RecordedCall>();
  /** Calls clearCalls() forgot before they were checked. */
  private unchecked: RecordedCall[] = [];
  private closed = false;
  /** Errors a test expects the bot to meet (method -> error codes), see expectError(). */
  private readonly expected = new Map<string, Set<string>>();

  constructor(options: FakeSlackOptions = {}) {
    this.options = options;
    this.teamId = options.teamId ?? 'T0FAKE0001';
    this.teamName = options.teamName ?? 'Fake Team';
    this.botUserId = options.botUserId ?? 'U0FAKEBOT1';
    this.botId = options.botId ?? 'B0FAKEBOT1';
    this.limits = { ...SLACK_LIMITS, ...options.limits };
    this.latencyMs = options.latencyMs ?? 0;
    startedFakes.add(this);
    this.server = createServer((req, res) => {
      // A bug in the fake must fail the test that hit it, not crash the process with an unhandled rejection.
      this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake Slack API failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  }

  /** Base URL, e.g. http://127.0.0.1:54321; the WebClient wants `${url}/api/`. */
  get url(): string {
    return this.address;
  }

  /** A response_url (for interaction payloads) whose posts are recorded as method 'response_url'. */
  responseUrl(id = 'r1'): string {
    return `${this.address}/response/${encodeURIComponent(id)}`;
  }

  /** The value for `clientOptions.slackApiUrl` / the WebClient's `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.address}/api/`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${port}`;
  }

  /** True once close() has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) waiter.fail(new Error('fake Slack API closed'));
    this.waiters.clear();
    // fetch keeps connections alive; without this, close() waits for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- knobs ----------------------------------------------------------------------------------

  /** The next `count` calls of `method` ('*' for any method) answer `failure` instead. */
  failNext(method: string, failure: Failure, count = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) queue.push(failure);
    this.failures.set(method, queue);
  }

  /**
   * The next `count` calls of `method` are carried out, then their connection is dropped before the
   * answer: the caller cannot know whether Slack did it (as after a timeout or a reset).
   */
  loseResponseNext(method: string, count = 1): void {
    this.lostResponses.set(method, (this.lostResponses.get(method) ?? 0) + count);
  }

  /**
   * Says that `error` answered to `method` ('*' for any method) is part of the test's scenario (say,
   * a call the test makes to see it refused), so strictSlack() does not fail the test for it.
   */
  expectError(method: string, error: string): void {
    const codes = this.expected.get(method) ?? new Set<string>();
    codes.add(error);
    this.expected.set(method, codes);
  }

  /**
   * The calls answered with an error no knob injected and no expectError() named, since the last
   * time this was asked; the expectations are cleared too, so each test states its own.
   */
  takeUnexpectedErrors(): RecordedCall[] {
    // A call still in flight is looked at next time, once it has its answer.
    const fresh = [...this.unchecked, ...this.recorded].filter((call) => call.status !== undefined && !this.checked.has(call));
    for (const call of fresh) this.checked.add(call);
    this.unchecked = this.unchecked.filter((call) => !this.checked.has(call));
    const unexpected = fresh.filter((call) => {
      if (!isUnexpectedError(call)) return false;
      const code = typeof call.response?.error === 'string' ? call.response.error : undefined;
      const expected = (method: string) => code !== undefined && this.expected.get(method)?.has(code) === true;
      return !expected(call.method) && !expected('*');
    });
    this.expected.clear();
    return unexpected;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Ends a stream as Slack does when it gets no append for ~5 minutes. */
  expireStream(channel: string, ts: string): void {
    const message = this.messagesByKey.get(key(channel, ts));
    if (message?.stream?.state === 'streaming') message.stream.state = 'expired';
  }

  expireAllStreams(): void {
    for (const message of this.messagesByKey.values()) {
      if (message.stream?.state === 'streaming') message.stream.state = 'expired';
    }
  }

  /** Replaces (or adds) the answer of a method. The handler's JSON gets `ok: true` unless it says. */
  respond(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  /**
   * A file a person uploaded: served at its `url_private` (GET /files-pri/<team>-<id>/<name>, as
   * Slack's file host lays them out) to a `Authorization: Bearer` token the fake accepts (one of
   * `tokens`, or any xoxb- token without them), 403 otherwise. Returns the file object that
   * message events carry in `files` (docs.slack.dev/reference/objects/file-object). Downloads are
   * recorded as calls of method 'files-pri'. `status` forces another answer (a 403 for a file the
   * bot may not read); `slackConnect` leaves out the URL, as Slack Connect files arrive, and then
   * files.info answers the whole object ('readable') or file_not_found ('hidden').
   */
  addFile(input: { name: string; mimetype: string; bytes: Uint8Array; status?: number; slackConnect?: 'readable' | 'hidden' }): Json {
    const id = `F${String(this.files.size + 1).padStart(9, '0')}`;
    this.files.set(id, { ...input, id });
    if (input.slackConnect) return { id, mode: 'file_access', file_access: 'check_file_info', created: 0, timestamp: 0, user: '' };
    return this.fileObject(id);
  }

  /** The whole file object (as files.info answers it) of a file added with addFile. */
  private fileObject(id: string): Json {
    const file = this.files.get(id);
    if (!file) throw new PlatformError('file_not_found');
    const url = `${this.address}/files-pri/${this.teamId}-${id}/${encodeURIComponent(file.name)}`;
    const filetype = file.name.includes('.') ? (file.name.split('.').pop() ?? '') : '';
    return { id, name: file.name, title: file.name, mimetype: file.mimetype, filetype, size: file.bytes.length, mode: 'hosted', url_private: url, url_private_download: `${url}?download=1` };
  }

  /** A message a person wrote, so that conversations.replies and messages() see the question too. */
  addUserMessage(input: { channel: string; user: string; text: string; thread_ts?: string; ts?: string }): string {
    const ts = input.ts ?? this.nextTs();
    this.messagesByKey.set(key(input.channel, ts), {
      channel: input.channel,
      ts,
      thread_ts: input.thread_ts,
      user: input.user,
      text: input.text,
      tasks: new Map(),
      edited: false,
      deleted: false,
    });
    return ts;
  }

  /** Forgets recorded calls (state stays); strictSlack() still gets to see the ones it has not checked. */
  clearCalls(): void {
    this.unchecked.push(...this.recorded.filter((call) => !this.checked.has(call)));
    this.recorded.length = 0;
  }

  // ---- inspection -----------------------------------------------------------------------------

  calls(method?: string): RecordedCall[] {
    return this.recorded.filter((call) => method === undefined || call.method === method);
  }

  /**
   * Resolves with the first answered call that matches (a method name or a predicate), looking at
   * past calls first. Rejects after timeoutMs, naming the calls seen so far.
   */
  waitFor(match: string | ((call: RecordedCall) => boolean), timeoutMs = 5_000): Promise<RecordedCall> {
    const predicate = typeof match === 'string' ? (call: RecordedCall) => call.method === match : match;
    let found: RecordedCall | undefined;
    return this.waitUntil(() => {
      found = this.recorded.find((call) => call.status !== undefined && predicate(call));
      return found !== undefined;
    }, timeoutMs).then(() => found as RecordedCall);
  }

  /** Resolves once `condition()` holds; it is checked now and after every answered call. */
  waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          if (!condition()) return false;
          clearTimeout(timer);
          resolve();
          return true;
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`fake Slack: condition not met after ${timeoutMs} ms; calls so far: ${this.describeCalls()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * The visible state of a thread (its parent and replies), or with no thread_ts the channel's
   * top-level messages; ordered by ts, deleted messages left out.
   */
  messages(channel: string, thread_ts?: string): VisibleMessage[] {
    const now = Date.now();
    return [...this.messagesByKey.values()]
      .filter((m) => m.channel === channel && !m.deleted)
      .filter((m) =>
        thread_ts === undefined ? m.thread_ts === undefined || m.thread_ts === m.ts : m.ts === thread_ts || m.thread_ts === thread_ts,
      )
      .sort((a, b) => compareTs(a.ts, b.ts))
      .map((m) => this.visible(m, now));
  }

  message(channel: string, ts: string): VisibleMessage | undefined {
    const stored = this.messagesByKey.get(key(channel, ts));
    return stored && !stored.deleted ? this.visible(stored, Date.now()) : undefined;
  }

  /** The assistant status a thread shows now ('' or undefined when none). */
  status(channel: string, thread_ts: string): string | undefined {
    return this.statusByThread.get(key(channel, thread_ts));
  }

  reactions(channel: string, ts: string): string[] {
    return [...(this.reactionsByKey.get(key(channel, ts))?.keys() ?? [])];
  }

  ephemerals(channel?: string): Json[] {
    return this.ephemeralList.filter((e) => channel === undefined || e.channel === channel);
  }

  homeView(user: string): Json | undefined {
    return this.homeViews.get(user);
  }

  /** Modals opened or pushed (after their updates), in order. */
  modals(): Json[] {
    return [...this.modalViews.values()];
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST' && (req.url ?? '').startsWith('/upload/v1/')) return this.serveUpload(req, res);
    const raw = await readBody(req);
    if (req.method === 'POST' && (req.url ?? '').startsWith('/response/')) return this.serveResponseUrl(req, res, raw);
    if (req.method === 'GET' && (req.url ?? '').startsWith('/files-pri/')) return this.serveFile(req, res);
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'POST' || !match?.[1]) {
      res.writeHead(req.method === 'POST' ? 404 : 405, { 'content-type': 'text/plain' }).end('not a Web API call');
      return;
    }
    let body: Json;
    try {
      body = parseBody(raw, req.headers['content-type'] ?? '');
    } catch {
      body = {};
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const bodyToken = typeof body.token === 'string' ? body.token : undefined;
    delete body.token;
    const call: RecordedCall = { method: match[1], body, token: bearer ?? bodyToken, at: Date.now() };
    this.recorded.push(call);

    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const failure = this.takeFailure(call.method);
    if (failure) call.injected = true;
    if (failure && 'status' in failure && failure.status === 429) {
      const retryAfter = String(failure.retryAfter ?? 1);
      this.answer(res, call, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': retryAfter });
    } else if (failure && 'status' in failure) {
      call.status = 500;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      this.notify();
    } else if (failure && 'error' in failure) {
      this.answer(res, call, 200, { ok: false, error: failure.error });
    } else if (this.takeLostResponse(call.method)) {
      this.carryOutAndDrop(res, call);
    } else {
      this.answer(res, call, 200, this.dispatch(call));
    }
  }

  private takeLostResponse(method: string): boolean {
    const left = this.lostResponses.get(method) ?? 0;
    if (left > 0) this.lostResponses.set(method, left - 1);
    return left > 0;
  }

  /** Does the call, records what it would have answered, and drops the connection instead of answering. */
  private carryOutAndDrop(res: ServerResponse, call: RecordedCall): void {
    call.response = this.dispatch(call);
    call.status = 200;
    call.lost = true;
    res.socket?.destroy();
    this.notify();
  }

  /** A url_private download: the bytes to an accepted bot token, 403 to anything else. */
  private serveFile(req: IncomingMessage, res: ServerResponse): void {
    const id = /^\/files-pri\/[A-Z0-9]+-(F[0-9]+)\//.exec(req.url ?? '')?.[1] ?? '';
    const file = this.files.get(id);
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const call: RecordedCall = { method: 'files-pri', body: { file: id }, token, at: Date.now() };
    this.recorded.push(call);
    const accepted = token !== undefined && (this.options.tokens ? this.options.tokens.includes(token) : token.startsWith('xoxb-'));
    const status = !file ? 404 : !accepted ? 403 : (file.status ?? 200);
    call.status = status;
    if (status !== 200 || !file) {
      call.response = { ok: false, error: status === 404 ? 'file_not_found' : 'forbidden' };
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 404 ? 'Not Found' : 'Forbidden');
    } else {
      call.response = { ok: true };
      res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) }).end(Buffer.from(file.bytes));
    }
    this.notify();
  }

  /**
   * The POST of a file's bytes to the `upload_url` that files.getUploadURLExternal gave (Slack's
   * steps: docs.slack.dev/reference/methods/files.getUploadURLExternal, "Upload a file by making a POST
   * request to the upload URL"; raw bytes or multipart form data). Recorded as method 'file-upload';
   * answered 200 "OK - <bytes>" as Slack's upload host does, 404 for a URL it never gave.
   */
  private async serveUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const bytes = Buffer.concat(parts);
    const id = /^\/upload\/v1\/(F[0-9A-Z]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const upload = this.uploads.get(id);
    const call: RecordedCall = { method: 'file-upload', body: { file: id, bytes: bytes.length }, token: undefined, at: Date.now() };
    this.recorded.push(call);
    if (!upload || upload.completed) {
      call.status = 404;
      call.response = { ok: false, error: 'file_not_found' };
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    } else {
      upload.bytes = bytes;
      call.status = 200;
      call.response = { ok: true };
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
    }
    this.notify();
  }

  /** The bytes POSTed for an upload (multipart bodies as they came), once it was completed. */
  uploadedBytes(fileId: string): Buffer | undefined {
    const upload = this.uploads.get(fileId);
    return upload?.completed ? upload.bytes : undefined;
  }

  /** response_url posts (respond() in Bolt): recorded as method 'response_url', answered like Slack. */
  private serveResponseUrl(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: Json;
    try {
      body = parseBody(raw, req.headers['content-type'] ?? 'application/json');
    } catch {
      body = {};
    }
    body.response_url = this.address + (req.url ?? '');
    const call: RecordedCall = { method: 'response_url', body, token: undefined, at: Date.now() };
    this.recorded.push(call);
    try {
      this.checkResponseBody(body);
      this.answer(res, call, 200, { ok: true });
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      // Slack answers a bad response_url post with HTTP 200 and ok: false, as the Web API does.
      this.answer(res, call, 200, errorAnswer(error));
    }
  }

  /** A response_url body: a message (text and/or blocks), or delete_original. */
  private checkResponseBody(body: Json): void {
    if (body.delete_original === true || body.delete_original === 'true') return;
    if (body.response_type !== undefined && body.response_type !== 'ephemeral' && body.response_type !== 'in_channel') {
      throw new PlatformError('invalid_arguments');
    }
    this.checkContent(body);
  }

  private answer(res: ServerResponse, call: RecordedCall, status: number, json: Json, headers: Record<string, string> = {}): void {
    call.status = status;
    call.response = json;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(json));
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) this.waiters.delete(waiter);
    }
  }

  private takeFailure(method: string): Failure | undefined {
    for (const name of [method, '*']) {
      const queue = this.failures.get(name);
      if (queue && queue.length > 0) return queue.shift();
    }
    return undefined;
  }

  private dispatch(call: RecordedCall): Json {
    try {
      if (!call.token) throw new PlatformError('not_authed');
      if (this.options.tokens && !this.options.tokens.includes(call.token)) throw new PlatformError('invalid_auth', [], true);
      const custom = this.handlers.get(call.method);
      if (custom) {
        // The test wrote this answer, errors included.
        call.injected = true;
        return { ok: true, ...custom(call.body, call) };
      }
      const builtin = this.builtins[call.method];
      if (!builtin) throw new PlatformError('unknown_method');
      return { ok: true, ...builtin(call.body) };
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (error.injected) call.injected = true;
      return errorAnswer(error);
    }
  }

  private describeCalls(): string {
    const list = this.recorded.map((c) => {
      const error = typeof c.response?.error === 'string' ? `(${c.response.error})` : '';
      return `${c.method}${c.status === undefined ? '(pending)' : c.status === 200 ? error : `(${c.status})`}`;
    });
    return list.length > 0 ? list.join(', ') : 'none';
  }

  // ---- methods --------------------------------------------------------------------------------

  private readonly builtins: Record<string, (body: Json) => Json> = {
    // Step 1 of an upload (docs.slack.dev/reference/methods/files.getUploadURLExternal): `filename` and
    // `length` (bytes) required; answers `upload_url` (here on the fake's own origin) and `file_id`.
    'files.getUploadURLExternal': (body) => {
      const filename = requireString(body, 'filename', 'invalid_arguments');
      const length = Number(body.length);
      if (!Number.isInteger(length) || length < 1) throw new PlatformError('invalid_arguments');
      const id = `F${String(this.files.size + this.uploads.size + 1).padStart(9, '0')}U`;
      this.uploads.set(id, { id, filename, length, completed: false });
      return { upload_url: `${this.address}/upload/v1/${id}`, file_id: id };
    },
    // Step 3 (docs.slack.dev/reference/methods/files.completeUploadExternal): `files` [{id, title?}]
    // required; shared as a message in `channel_id` (a reply when `thread_ts` is given, which needs
    // channel_id), with `initial_comment` as its text. "This method can only be called once": a file id
    // already completed, never given, or whose bytes never came is refused (the docs name no code for
    // it; file_not_found here, and the bot does not depend on which).
    'files.completeUploadExternal': (body) => {
      const list = body.files;
      if (!Array.isArray(list) || list.length === 0) throw new PlatformError('invalid_arguments');
      const uploads = list.map((item: unknown) => {
        const id = isObject(item) && typeof item.id === 'string' ? item.id : '';
        const upload = this.uploads.get(id);
        if (!upload || upload.completed || !upload.bytes) throw new PlatformError('file_not_found');
        return { upload, title: isObject(item) && typeof item.title === 'string' ? item.title : upload.filename };
      });
      const channel = optionalString(body, 'channel_id');
      const thread_ts = optionalString(body, 'thread_ts');
      if (thread_ts !== undefined && channel === undefined) throw new PlatformError('invalid_arguments');
      for (const { upload } of uploads) upload.completed = true;
      const shared = uploads.map(({ upload, title }) => ({ id: upload.id, name: upload.filename, title, size: upload.length }));
      if (channel !== undefined) {
        const ts = this.nextTs();
        const message = this.botMessage(channel, ts, thread_ts);
        message.text = optionalString(body, 'initial_comment') ?? '';
        message.files = shared;
        this.messagesByKey.set(key(channel, ts), message);
        this.clearStatus(channel, thread_ts);
      }
      return { files: shared.map(({ id, title }) => ({ id, title })) };
    },
    'files.info': (body) => {
      const id = typeof body.file === 'string' ? body.file : '';
      if (this.files.get(id)?.slackConnect === 'hidden') throw new PlatformError('file_not_found');
      return { file: this.fileObject(id) };
    },
    'auth.test': () => ({
      url: 'https://fake.slack.test/',
      team: this.teamName,
      user: 'fakebot',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const content = this.checkContent(body);
      const ts = this.nextTs();
      const thread_ts = optionalString(body, 'thread_ts');
      const message = this.botMessage(channel, ts, thread_ts);
      Object.assign(message, content);
      this.applyMetadata(message, body);
      this.messagesByKey.set(key(channel, ts), message);
      this.clearStatus(channel, thread_ts);
      return { channel, ts, message: this.slackShape(message) };
    },

    'chat.update': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const message = this.findMessage(channel, requireString(body, 'ts', 'message_not_found'));
      if (message.bot_id !== this.botId) throw new PlatformError('cant_update_message');
      const content = this.checkContent(body);
      // Slack keeps the old blocks when an update names none; markdown_text replaces everything.
      if (content.markdown_text !== undefined) {
        message.text = undefined;
        message.blocks = undefined;
        message.markdown_text = content.markdown_text;
      } else {
        if (content.text !== undefined) {
          message.text = content.text;
          message.markdown_text = undefined;
        }
        if (content.blocks !== undefined) message.blocks = content.blocks;
      }
      this.applyMetadata(message, body);
      message.edited = true;
      return { channel, ts: message.ts, text: message.text ?? '', message: this.slackShape(message) };
    },

    'chat.delete': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const message = this.findMessage(channel, requireString(body, 'ts', 'message_not_found'));
      if (message.bot_id !== this.botId) throw new PlatformError('cant_delete_message');
      message.deleted = true;
      return { channel, ts: message.ts };
    },

    'chat.postEphemeral': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const user = requireString(body, 'user', 'user_not_in_channel');
      refuseMetadata(body);
      const content = this.checkContent(body);
      const message_ts = this.nextTs();
      this.ephemeralList.push({ channel, user, message_ts, thread_ts: optionalString(body, 'thread_ts'), ...content });
      return { message_ts };
    },

    'chat.startStream': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const thread_ts = requireString(body, 'thread_ts', 'invalid_arguments');
      refuseMetadata(body);
      // Outside DMs Slack must know whom the stream is for.
      const isDm = channel.startsWith('D');
      if (!isDm && (!optionalString(body, 'recipient_team_id') || !optionalString(body, 'recipient_user_id'))) {
        throw new PlatformError('invalid_arguments');
      }
      const ts = this.nextTs();
      const message = this.botMessage(channel, ts, thread_ts);
      message.stream = { state: 'streaming', lastActivity: Date.now() };
      this.applyStreamContent(message, body);
      this.messagesByKey.set(key(channel, ts), message);
      this.clearStatus(channel, thread_ts);
      return { channel, ts };
    },

    'chat.appendStream': (body) => {
      const message = this.streamingMessage(body);
      if (body.markdown_text === undefined && body.chunks === undefined) throw new PlatformError('invalid_arguments');
      refuseMetadata(body);
      this.applyStreamContent(message, body);
      return { channel: message.channel, ts: message.ts };
    },

    'chat.stopStream': (body) => {
      const message = this.streamingMessage(body);
      const blocks = body.blocks === undefined ? [] : this.checkBlocks(body.blocks);
      this.applyStreamContent(message, body, blocks.length);
      if (blocks.length > 0) message.blocks = [...(message.blocks ?? []), ...blocks];
      this.applyMetadata(message, body);
      if (message.stream) message.stream.state = 'stopped';
      return { channel: message.channel, ts: message.ts, message: this.slackShape(message) };
    },

    'assistant.threads.setStatus': (body) => {
      const channel = requireString(body, 'channel_id', 'channel_not_found');
      const thread_ts = requireString(body, 'thread_ts', 'invalid_arguments');
      if (typeof body.status !== 'string') throw new PlatformError('invalid_arguments');
      const loading = body.loading_messages;
      if (loading !== undefined && (!Array.isArray(loading) || loading.length > this.limits.loadingMessages)) {
        throw new PlatformError('invalid_arguments');
      }
      this.statusByThread.set(key(channel, thread_ts), body.status);
      return {};
    },

    'assistant.threads.setSuggestedPrompts': (body) => {
      requireString(body, 'channel_id', 'channel_not_found');
      if (!Array.isArray(body.prompts)) throw new PlatformError('invalid_arguments');
      return {};
    },

    'assistant.threads.setTitle': (body) => {
      requireString(body, 'channel_id', 'channel_not_found');
      requireString(body, 'title', 'invalid_arguments');
      return {};
    },

    'reactions.add': (body) => {
      const [reactions, name] = this.reactionTarget(body);
      if (reactions.has(name)) throw new PlatformError('already_reacted');
      reactions.set(name, new Set([this.botUserId]));
      return {};
    },

    'reactions.remove': (body) => {
      const [reactions, name] = this.reactionTarget(body);
      if (!reactions.delete(name)) throw new PlatformError('no_reaction');
      return {};
    },

    'conversations.replies': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const ts = requireString(body, 'ts', 'thread_not_found');
      const thread = [...this.messagesByKey.values()]
        .filter((m) => m.channel === channel && !m.deleted && (m.ts === ts || m.thread_ts === ts))
        .sort((a, b) => compareTs(a.ts, b.ts));
      if (thread.length === 0) throw new PlatformError('thread_not_found');
      return this.repliesPage(thread, body);
    },

    // Newest first, top-level messages only (replies stay in their threads), like Slack; `limit` up to
    // 999 (default 100), metadata only with include_all_metadata (docs.slack.dev, conversations.history).
    'conversations.history': (body) => {
      const channel = requireString(body, 'channel', 'channel_not_found');
      const messages = [...this.messagesByKey.values()]
        .filter((m) => m.channel === channel && !m.deleted && (m.thread_ts === undefined || m.thread_ts === m.ts))
        .sort((a, b) => compareTs(b.ts, a.ts));
      return this.repliesPage(messages, { limit: 100, ...body }, 999);
    },

    'users.info': (body) => {
      const id = requireString(body, 'user', 'user_not_found');
      const listed = this.options.users?.[id];
      if (!listed && !/^[UW][A-Z0-9]+$/.test(id)) throw new PlatformError('user_not_found');
      const name = listed?.name ?? `user_${id.toLowerCase()}`;
      const real_name = listed?.real_name ?? `User ${id}`;
      return {
        user: {
          id,
          team_id: this.teamId,
          name,
          real_name,
          is_bot: listed?.is_bot ?? id === this.botUserId,
          tz: listed?.tz ?? 'Europe/London',
          profile: { real_name, display_name: name },
        },
      };
    },

    'views.publish': (body) => {
      const user = requireString(body, 'user_id', 'user_not_found');
      const view = this.checkView(body.view, ['home']);
      const published = { id: `V${this.nextTs().replace('.', '')}`, team_id: this.teamId, ...view };
      this.homeViews.set(user, published);
      return { view: published };
    },

    // views.open and views.push need the trigger_id of an interaction (it expires after 3 s in Slack).
    'views.open': (body) => {
      requireString(body, 'trigger_id', 'invalid_trigger_id');
      return { view: this.storeModal(this.checkView(body.view, ['modal'])) };
    },

    'views.push': (body) => {
      requireString(body, 'trigger_id', 'invalid_trigger_id');
      return { view: this.storeModal(this.checkView(body.view, ['modal'])) };
    },

    'views.update': (body) => {
      const id = optionalString(body, 'view_id');
      const external = optionalString(body, 'external_id');
      const old = [...this.modalViews.values()].find((v) => v.id === id || (external !== undefined && v.external_id === external));
      if (!old) throw new PlatformError('not_found');
      const view = this.checkView(body.view, ['modal', 'home']);
      const updated = { ...view, id: old.id, team_id: this.teamId };
      this.modalViews.set(String(old.id), updated);
      return { view: updated };
    },
  };

  // ---- state and checks ------------------------------------------------------------------------

  private botMessage(channel: string, ts: string, thread_ts: string | undefined): StoredMessage {
    return {
      channel,
      ts,
      thread_ts,
      user: this.botUserId,
      bot_id: this.botId,
      tasks: new Map(),
      edited: false,
      deleted: false,
    };
  }

  private storeModal(view: Json): Json {
    const stored = { ...view, id: `V${this.nextTs().replace('.', '')}`, team_id: this.teamId };
    this.modalViews.set(stored.id, stored);
    return stored;
  }

  private findMessage(channel: string, ts: string): StoredMessage {
    const message = this.messagesByKey.get(key(channel, ts));
    if (!message || message.deleted) throw new PlatformError('message_not_found');
    return message;
  }

  /** The message an append/stop names, if it is still streaming (Slack answers the same for unknown ts). */
  private streamingMessage(body: Json): StoredMessage {
    const channel = requireString(body, 'channel', 'channel_not_found');
    const ts = requireString(body, 'ts', 'message_not_in_streaming_state');
    const message = this.messagesByKey.get(key(channel, ts));
    const stream = message?.stream;
    if (!message || message.deleted || !stream) throw new PlatformError('message_not_in_streaming_state');
    const idle = this.options.streamIdleMs;
    if (stream.state === 'streaming' && idle !== undefined && Date.now() - stream.lastActivity > idle) {
      stream.state = 'expired';
    }
    // Only a knob (expireStream, streamIdleMs) expires a stream; appending to a stopped one is the bot's mistake.
    if (stream.state === 'expired') throw new PlatformError('message_not_in_streaming_state', [], true);
    if (stream.state !== 'streaming') throw new PlatformError('message_not_in_streaming_state');
    stream.lastActivity = Date.now();
    return message;
  }

  /**
   * markdown_text and chunks of a stream call, checked whole before any of it is applied; `moreBlocks`
   * are blocks the same call adds (stopStream's), counted with the message's against Slack's 50.
   */
  private applyStreamContent(message: StoredMessage, body: Json, moreBlocks = 0): void {
    const markdown = optionalString(body, 'markdown_text');
    if (markdown !== undefined && markdown.length > this.limits.markdownText) throw new PlatformError('markdown_text_too_long');
    const chunks = body.chunks === undefined ? [] : this.checkChunks(body.chunks);
    const chunkBlocks = chunks.reduce((n, chunk) => n + (chunk.type === 'blocks' && Array.isArray(chunk.blocks) ? chunk.blocks.length : 0), 0);
    const blockCount = (message.blocks?.length ?? 0) + chunkBlocks + moreBlocks;
    if (blockCount > this.limits.blocks) {
      throw new PlatformError('invalid_blocks', [`[ERROR] must provide no more than ${this.limits.blocks} items [json-pointer:/blocks]`]);
    }
    let text = message.markdown_text ?? '';
    if (markdown !== undefined) text += markdown;
    for (const chunk of chunks) if (chunk.type === 'markdown_text') text += String(chunk.text);
    if (text.length > this.limits.streamMarkdown) throw new PlatformError('msg_too_long');
    if (text.length > 0) message.markdown_text = text;
    for (const chunk of chunks) {
      if (chunk.type === 'task_update') {
        const id = String(chunk.id);
        const task: TaskState = { ...message.tasks.get(id), id, title: String(chunk.title), status: String(chunk.status) };
        if (typeof chunk.details === 'string') task.details = chunk.details;
        if (typeof chunk.output === 'string') task.output = chunk.output;
        message.tasks.set(id, task);
      } else if (chunk.type === 'plan_update') {
        message.plan = String(chunk.title);
      } else if (chunk.type === 'blocks') {
        message.blocks = [...(message.blocks ?? []), ...(chunk.blocks as Json[])];
      }
    }
  }

  /** text / markdown_text / blocks of a posted or updated message, with Slack's rules. */
  private checkContent(body: Json): { text?: string; markdown_text?: string; blocks?: Json[] } {
    const text = optionalString(body, 'text');
    const markdown_text = optionalString(body, 'markdown_text');
    const blocks = body.blocks === undefined ? undefined : this.checkBlocks(body.blocks);
    if (markdown_text !== undefined && (text !== undefined || blocks !== undefined)) throw new PlatformError('invalid_arguments');
    if (text === undefined && markdown_text === undefined && blocks === undefined && body.attachments === undefined) {
      throw new PlatformError('no_text');
    }
    // Slack itself truncates text past the limit; failing instead makes tests catch the overflow.
    if (text !== undefined && text.length > this.limits.text) throw new PlatformError('msg_too_long');
    if (markdown_text !== undefined && markdown_text.length > this.limits.markdownText) {
      throw new PlatformError('markdown_text_too_long');
    }
    return { text, markdown_text, blocks };
  }

  /** Blocks of a message, checked against Block Kit's rules (slack-blocks.ts) and the message limits. */
  private checkBlocks(value: unknown): Json[] {
    if (!Array.isArray(value)) throw new PlatformError('invalid_blocks_format');
    const problems = validateBlocks(value, 'message', { blocks: this.limits.blocks, markdownChars: this.limits.markdownBlocks });
    if (problems.length > 0) throw new PlatformError('invalid_blocks', problems);
    const totalChars = value.reduce((sum: number, block) => sum + JSON.stringify(block).length, 0);
    if (this.limits.blocksTotalChars !== undefined && totalChars > this.limits.blocksTotalChars) {
      throw new PlatformError('msg_blocks_too_long');
    }
    return value as Json[];
  }

  /** A view of views.open / push / update / publish; Slack answers a bad one with invalid_arguments. */
  private checkView(value: unknown, allowed: Array<'modal' | 'home'>): Json {
    const problems = validateView(value, allowed);
    if (problems.length > 0) throw new PlatformError('invalid_arguments', problems);
    return value as Json;
  }

  private checkChunks(value: unknown): Json[] {
    if (!Array.isArray(value)) throw new PlatformError('invalid_chunks');
    for (const chunk of value) {
      if (!isObject(chunk)) throw new PlatformError('invalid_chunks');
      switch (chunk.type) {
        case 'markdown_text':
          if (typeof chunk.text !== 'string') throw new PlatformError('invalid_chunks');
          if (chunk.text.length > this.limits.markdownText) throw new PlatformError('markdown_text_too_long');
          break;
        case 'task_update':
          if (typeof chunk.id !== 'string' || typeof chunk.title !== 'string') throw new PlatformError('invalid_chunks');
          if (typeof chunk.status !== 'string' || !TASK_STATUSES.has(chunk.status)) throw new PlatformError('invalid_chunks');
          break;
        case 'plan_update':
          if (typeof chunk.title !== 'string') throw new PlatformError('invalid_chunks');
          break;
        case 'blocks':
          this.checkBlocks(chunk.blocks);
          break;
        default:
          throw new PlatformError('invalid_chunks');
      }
    }
    return value as Json[];
  }

  private reactionTarget(body: Json): [Map<string, Set<string>>, string] {
    const channel = requireString(body, 'channel', 'channel_not_found');
    const ts = requireString(body, 'timestamp', 'no_item_specified');
    const name = requireString(body, 'name', 'invalid_name');
    // Reactions usually go on the person's message, which the fake may never have seen: keep them anyway.
    const k = key(channel, ts);
    const reactions = this.reactionsByKey.get(k) ?? new Map<string, Set<string>>();
    this.reactionsByKey.set(k, reactions);
    return [reactions, name];
  }

  private clearStatus(channel: string, thread_ts: string | undefined): void {
    if (thread_ts !== undefined) this.statusByThread.delete(key(channel, thread_ts));
  }

  private visible(m: StoredMessage, now: number): VisibleMessage {
    let stream = m.stream?.state;
    const idle = this.options.streamIdleMs;
    if (stream === 'streaming' && idle !== undefined && m.stream && now - m.stream.lastActivity > idle) stream = 'expired';
    const out: VisibleMessage = {
      channel: m.channel,
      ts: m.ts,
      user: m.user,
      tasks: [...m.tasks.values()],
      edited: m.edited,
      reactions: this.reactions(m.channel, m.ts),
    };
    if (m.thread_ts !== undefined) out.thread_ts = m.thread_ts;
    if (m.bot_id !== undefined) out.bot_id = m.bot_id;
    if (m.text !== undefined) out.text = m.text;
    if (m.markdown_text !== undefined) out.markdown_text = m.markdown_text;
    if (m.blocks !== undefined) out.blocks = m.blocks;
    if (m.plan !== undefined) out.plan = m.plan;
    if (stream !== undefined) out.stream = stream;
    if (m.files !== undefined) out.files = m.files;
    return out;
  }

  /**
   * One page of conversations.replies: `limit` messages (Slack's default and maximum 1,000) from the
   * opaque `cursor`, metadata only with `include_all_metadata`, like Slack.
   */
  private repliesPage(thread: StoredMessage[], body: Json, maxLimit = 1000): Json {
    const limit = body.limit === undefined ? maxLimit : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new PlatformError('invalid_limit');
    const cursor = optionalString(body, 'cursor');
    const from = cursor === undefined ? 0 : Number(/^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'))?.[1] ?? NaN);
    if (!Number.isInteger(from)) throw new PlatformError('invalid_cursor');
    const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true' || body.include_all_metadata === '1';
    const page = thread.slice(from, from + limit).map((m) => {
      const shape = this.slackShape(m);
      if (withMetadata && m.metadata) shape.metadata = m.metadata;
      return shape;
    });
    const more = from + limit < thread.length;
    return { messages: page, has_more: more, response_metadata: { next_cursor: more ? Buffer.from(`offset:${from + limit}`).toString('base64') : '' } };
  }

  /** Message metadata of a post, update or stop: {event_type: string, event_payload: object}. */
  private applyMetadata(message: StoredMessage, body: Json): void {
    const metadata = body.metadata;
    if (metadata === undefined) return;
    if (!isObject(metadata) || typeof metadata.event_type !== 'string' || metadata.event_type === '' || !isObject(metadata.event_payload)) {
      throw new PlatformError('invalid_arguments');
    }
    message.metadata = metadata;
  }

  /** A message the way Slack's API returns one (conversations.replies, chat.postMessage). */
  private slackShape(m: StoredMessage): Json {
    const shape: Json = { type: 'message', ts: m.ts, user: m.user, text: m.text ?? m.markdown_text ?? '' };
    if (m.bot_id !== undefined) shape.bot_id = m.bot_id;
    if (m.thread_ts !== undefined) shape.thread_ts = m.thread_ts;
    if (m.blocks !== undefined) shape.blocks = m.blocks;
    if (m.edited) shape.edited = { user: m.user, ts: m.ts };
    if (m.files !== undefined) shape.files = m.files;
    return shape;
  }

  /** Unique, increasing message timestamps in Slack's "seconds.micros" form. */
  private nextTs(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    return `${Math.floor(this.lastMicros / 1e6)}.${String(this.lastMicros % 1e6).padStart(6, '0')}`;
  }
}

// ---- helpers --------------------------------------------------------------------------------------

/** chat.startStream, chat.appendStream and chat.postEphemeral take no metadata (their argument types in @slack/web-api). */
function refuseMetadata(body: Json): void {
  if (body.metadata !== undefined) throw new PlatformError('invalid_arguments');
}

/** Slack's answer to a platform error, with the problem lines it gives for bad blocks and views. */
function errorAnswer(error: PlatformError): Json {
  const answer: Json = { ok: false, error: error.code };
  if (error.messages.length > 0) answer.response_metadata = { messages: error.messages };
  return answer;
}

function key(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

function compareTs(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(body: Json, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new PlatformError('invalid_arguments');
  return value;
}

function requireString(body: Json, name: string, error: string): string {
  const value = optionalString(body, name);
  if (!value) throw new PlatformError(error);
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** JSON bodies as they are; form bodies with their nested fields decoded from JSON strings. */
function parseBody(raw: string, contentType: string): Json {
  if (raw.length === 0) return {};
  if (contentType.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : {};
  }
  const body: Json = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    if (NESTED_FIELDS.has(name)) {
      try {
        body[name] = JSON.parse(value) as unknown;
      } catch {
        body[name] = value; // Slack rejects it later as invalid_*_format; keep what came for the test to see
      }
    } else {
      body[name] = value;
    }
  }
  return body;
}
