// Files attached to a Slack question. On the ack path only their descriptors are kept (`fileRefs`,
// cheap and JSON, so they wait in the inbox with the question); the worker downloads them before the
// turn (`loadFiles`) with the bot token, from Slack's own `url_private` only, never from a URL in the
// message text, and never to a host other than Slack's file host (or SLACK_API_URL's, for tests and
// proxies). A file the bot may not read, or one over a cap, becomes one sentence instead.
import type Anthropic from '@anthropic-ai/sdk';
import { silentLogger, type Logger } from '../../log.js';
import { escapeMrkdwn } from '../reply/escape.js';
import { overCapSentence, questionContent, quoteName, toBlock, type FileBlock, type FileCaps } from '../../files/content.js';
import { fitImage } from '../../files/fit-image.js';

/** What the bot keeps of one entry of a message's `files` (docs.slack.dev/reference/objects/file-object). */
export interface SlackFileRef {
  id: string;
  name: string;
  mimetype?: string;
  /** Size in bytes as Slack reports it (checked against the caps before downloading). */
  size?: number;
  url_private?: string;
  /** 'check_file_info' for Slack Connect files: the event carries no URL. */
  file_access?: string;
  /** 'tombstone' for a deleted file, 'hidden_by_limit' past a free workspace's history, 'external' for a linked one. */
  mode?: string;
}

/** The descriptors of a message's files, taken from the event as they are (no Web API call: this is the ack path). */
export function fileRefs(files: unknown[] | undefined): SlackFileRef[] {
  const refs: SlackFileRef[] = [];
  for (const file of files ?? []) {
    if (typeof file !== 'object' || file === null) continue;
    const f = file as Record<string, unknown>;
    const text = (key: string) => (typeof f[key] === 'string' && f[key] !== '' ? f[key] : undefined);
    const id = text('id');
    if (!id) continue;
    refs.push({
      id,
      name: text('name') ?? text('title') ?? id,
      ...(text('mimetype') ? { mimetype: text('mimetype') } : {}),
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
      ...(text('url_private') ? { url_private: text('url_private') } : {}),
      ...(text('file_access') ? { file_access: text('file_access') } : {}),
      ...(text('mode') ? { mode: text('mode') } : {}),
    });
  }
  return refs;
}

export interface FileDownloadDeps {
  /** The bot token (xoxb-...), sent as `Authorization: Bearer` to Slack's file host only. */
  token: string;
  /** Origins the token may be sent to: Slack's file host, plus SLACK_API_URL's origin when it is set. */
  origins: string[];
  caps: FileCaps;
  /**
   * files.info for a Slack Connect file, whose event carries only `file_access: 'check_file_info'`
   * and no URL: the whole object comes from files.info (described in zenn.dev/straydog/articles/42c4152bf963e3;
   * docs.slack.dev/reference/methods/files.info). Rejects when the bot may not see the file.
   */
  fileInfo?: (id: string) => Promise<SlackFileRef | undefined>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  logger?: Logger;
}

/** Slack's file host: url_private points there (docs.slack.dev/messaging/working-with-files). */
export const SLACK_FILE_ORIGIN = 'https://files.slack.com';

export function fileOrigins(apiUrl: string | undefined): string[] {
  const origins = [SLACK_FILE_ORIGIN];
  if (apiUrl) origins.push(new URL(apiUrl).origin);
  return origins;
}

export interface LoadedFiles {
  blocks: FileBlock[];
  /** One sentence per file left out, for Claude (in the question) and the person (in the thread). */
  sentences: string[];
}

/** Downloads and converts the files in order, keeping to the caps; never throws for a file. */
export async function loadFiles(refs: SlackFileRef[], deps: FileDownloadDeps): Promise<LoadedFiles> {
  const blocks: FileBlock[] = [];
  const sentences: string[] = [];
  let used = 0;
  for (const listed of refs) {
    const ref = await resolved(listed, deps);
    const left = Math.max(0, deps.caps.maxQuestionBytes - used);
    const got = await download(ref, deps, Math.min(deps.caps.maxFileBytes, left));
    if (!got.ok) {
      sentences.push(got.sentence);
      continue;
    }
    // An image over the API's limits is scaled down first (in a worker thread: fit-image.ts).
    const file = await fitImage({ name: ref.name, ...(ref.mimetype ? { mimetype: ref.mimetype } : {}), bytes: got.bytes }, deps.logger ?? silentLogger, deps.signal);
    const converted = toBlock(file);
    if (!converted.ok) {
      sentences.push(converted.sentence);
      continue;
    }
    used += got.bytes.length;
    blocks.push(converted.block);
  }
  return { blocks, sentences };
}

/** A question's files, ready for its turn. */
export interface AttachedFiles {
  /** One line for the thread naming the files left out (over a cap, unreadable), if any. */
  note?: string;
  /** The question's text with its files, as the turn's user content. */
  content(text: string): string | Anthropic.ContentBlockParam[];
}

/** `maxBytes`: the policy's `limits.fileBytes`, lowering both caps for this question. */
export type FileLoader = (refs: SlackFileRef[], signal?: AbortSignal, maxBytes?: number) => Promise<AttachedFiles>;

/** Downloads a question's files with the bot token (see loadFiles). Logs counts only, never names or contents. */
export function createFileLoader(deps: Omit<FileDownloadDeps, 'signal'>, logger: Logger = silentLogger): FileLoader {
  return async (refs, signal, maxBytes) => {
    const caps = maxBytes === undefined ? deps.caps : { maxFileBytes: Math.min(deps.caps.maxFileBytes, maxBytes), maxQuestionBytes: Math.min(deps.caps.maxQuestionBytes, maxBytes) };
    const files = await loadFiles(refs, { ...deps, caps, logger, ...(signal ? { signal } : {}) });
    logger.info('files attached', { files: refs.length, read: files.blocks.length, leftOut: files.sentences.length });
    return {
      ...(files.sentences.length > 0 ? { note: `:paperclip: ${escapeMrkdwn(files.sentences.join(' '))}` } : {}),
      content: (text) => questionContent(text, files.blocks, files.sentences),
    };
  };
}

/** A Slack Connect file's whole object, from files.info; the descriptor as it was if that fails. */
async function resolved(ref: SlackFileRef, deps: FileDownloadDeps): Promise<SlackFileRef> {
  if (ref.file_access !== 'check_file_info' || !deps.fileInfo) return ref;
  if (deps.signal?.aborted) throw deps.signal.reason;
  try {
    const info = await deps.fileInfo(ref.id);
    return info?.url_private ? info : ref;
  } catch {
    return ref;
  }
}

type Download = { ok: true; bytes: Uint8Array } | { ok: false; sentence: string };

async function download(ref: SlackFileRef, deps: FileDownloadDeps, cap: number): Promise<Download> {
  const name = quoteName(ref.name);
  const fail = (sentence: string): Download => ({ ok: false, sentence });
  // `cap` is the file cap, or less when earlier files of the question used part of its cap.
  const { maxFileBytes, maxQuestionBytes } = deps.caps;
  // `bytes` undefined: a download without content-length was stopped at the cap, its size unknown.
  const tooBig = (bytes: number | undefined): Download => {
    const perFile = bytes === undefined ? cap >= maxFileBytes : bytes > maxFileBytes;
    return fail(overCapSentence(ref.name, bytes, perFile ? maxFileBytes : maxQuestionBytes, perFile ? 'file' : 'question'));
  };
  if (ref.mode === 'tombstone') return fail(`The file ${name} was deleted, so it was not read.`);
  if (ref.mode === 'hidden_by_limit') return fail(`The file ${name} is hidden by this workspace's plan, so it was not read.`);
  if (ref.file_access === 'check_file_info' || !ref.url_private) {
    return fail(`The file ${name} is shared from another organization (Slack Connect) or linked from elsewhere, and I may not read it.`);
  }
  if (ref.size !== undefined && ref.size > cap) return tooBig(ref.size);
  let url: URL;
  try {
    url = new URL(ref.url_private);
  } catch {
    return fail(`The file ${name} has no address I can read it from.`);
  }
  if (!deps.origins.includes(url.origin)) return fail(`The file ${name} is not stored by Slack, so I did not read it.`);
  try {
    // A redirect is followed (a missing scope redirects to a sign-in page); fetch drops the
    // Authorization header when a redirect leaves the origin, so the token stays with Slack.
    const response = await (deps.fetch ?? fetch)(url, { headers: { Authorization: `Bearer ${deps.token}` }, ...(deps.signal ? { signal: deps.signal } : {}) });
    if (response.status === 403 || response.status === 401 || response.status === 404) {
      await response.body?.cancel();
      return fail(`I may not read the file ${name} (Slack answered ${response.status}).`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      return fail(`The file ${name} could not be downloaded (Slack answered ${response.status}).`);
    }
    // Without the files:read scope Slack answers a sign-in page instead of the file.
    if ((response.headers.get('content-type') ?? '').startsWith('text/html') && !(ref.mimetype ?? '').startsWith('text/html')) {
      await response.body?.cancel();
      return fail(`I may not read the file ${name} (Slack sent a sign-in page: is the files:read scope granted?).`);
    }
    const bytes = await readCapped(response, cap);
    if (bytes !== undefined) return { ok: true, bytes };
    const declared = Number(response.headers.get('content-length') ?? NaN);
    return tooBig(Number.isFinite(declared) ? declared : ref.size !== undefined && ref.size > cap ? ref.size : undefined);
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    return fail(`The file ${name} could not be downloaded (${error instanceof Error ? error.message : String(error)}).`);
  }
}

/** The body, or undefined as soon as it is over `cap` bytes (the rest is not read). */
async function readCapped(response: Response, cap: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early cancels the rest of the download.
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > cap) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
