// Files a tool made (images, binary resources) shown in the thread as uploaded files, once.
//
// Slack's upload is three steps (docs.slack.dev/reference/methods/files.getUploadURLExternal):
// files.getUploadURLExternal gives an upload_url and a file_id, the bytes are POSTed to the URL, and
// files.completeUploadExternal shares the file in the thread. The WebClient's files.uploadV2 helper
// does the same three steps but keeps the file_id to itself, and exactly-once needs it when the last
// step's answer is lost; so the steps are written out here with the WebClient's own method calls.
//
// Exactly once: nothing shows until the completion, so the first two steps may be done again. A
// completion whose outcome is unknown (no answer, a 5xx: slack-retries.ts) is followed by a look in
// the thread for a message carrying the file_id; when it is not there, the completion is sent once
// more, which Slack refuses when the first one landed ("This method can only be called once",
// docs.slack.dev/reference/methods/files.completeUploadExternal), so the file never shows twice.
import type { webApi } from '@slack/bolt';
import type { ToolFile } from '../../agent/content.js';
import type { Logger } from '../../log.js';
import { DEFAULT_UPLOAD_MAX_BYTES } from '../../files/upload-caps.js';
import { outcomeUnknown, platformError } from '../web/slack-retries.js';

export interface UploadTarget {
  client: webApi.WebClient;
  channel: string;
  threadTs: string;
  /** Sends the bytes to the upload URL; the global fetch unless a test or a proxy says otherwise. */
  fetch?: typeof fetch;
}

export interface UploadOptions {
  /** Files larger than this are not uploaded; the thread gets a line that says so instead. */
  maxBytes: number;
  /** The text of the file's message (files.completeUploadExternal's `initial_comment`). */
  comment?: string;
  /**
   * An answer redone after its worker died (intake/resume.ts): a file the thread already shows in a
   * message after this ts (the question's), with the same name and size, came from the dead
   * attempt's run of the same tool, and is not uploaded again.
   */
  shownAfter?: string;
}

export type UploadOutcome = { shown: true; fileId: string } | { shown: false; reason: string };

/** Uploads `file` into the thread, once; resolves with what happened (it never throws). */
export async function uploadOnce(target: UploadTarget, file: ToolFile, options: UploadOptions, logger: Logger): Promise<UploadOutcome> {
  const bytes = Buffer.from(file.data, 'base64');
  if (bytes.length === 0) return { shown: false, reason: 'it was empty' };
  if (bytes.length > options.maxBytes) return { shown: false, reason: `it is over the ${formatSize(options.maxBytes)} a file the bot uploads may have` };
  try {
    const fileId = await sendBytes(target, file.name, bytes);
    await completeOnce(target, fileId, file.name, options.comment, logger);
    return { shown: true, fileId };
  } catch (error) {
    const reason = platformError(error) ?? (error instanceof Error ? error.message : String(error));
    logger.warn('file upload failed', { file: file.name, bytes: bytes.length, error: reason });
    return { shown: false, reason: 'Slack did not take it' };
  }
}

/** Steps 1 and 2: an upload URL and file id, then the bytes. Nothing shows yet, so a retry is safe. */
async function sendBytes(target: UploadTarget, filename: string, bytes: Buffer): Promise<string> {
  const { upload_url: url, file_id: fileId } = await target.client.files.getUploadURLExternal({ filename, length: bytes.length });
  if (!url || !fileId) throw new Error('files.getUploadURLExternal answered without upload_url or file_id');
  // Raw bytes in the body, one of the two forms Slack's upload step takes (getUploadURLExternal's docs).
  const response = await (target.fetch ?? fetch)(url, { method: 'POST', body: new Uint8Array(bytes), headers: { 'content-type': 'application/octet-stream' } });
  await response.arrayBuffer(); // drain it, so the connection is free
  if (response.status !== 200) throw new Error(`the upload URL answered ${response.status}`);
  return fileId;
}

/** Step 3, which makes the file show: sent again only after the thread showed it did not land. */
async function completeOnce(target: UploadTarget, fileId: string, title: string, comment: string | undefined, logger: Logger): Promise<void> {
  const args = { files: [{ id: fileId, title }] as [{ id: string; title: string }], channel_id: target.channel, thread_ts: target.threadTs, ...(comment ? { initial_comment: comment } : {}) };
  try {
    await target.client.files.completeUploadExternal(args);
    return;
  } catch (error) {
    if (!outcomeUnknown(error)) throw error;
  }
  logger.warn('file upload outcome unknown; looking in the thread before completing again', { fileId });
  if (await inThread(target, fileId).catch(() => false)) return;
  try {
    await target.client.files.completeUploadExternal(args);
  } catch (again) {
    // Refused: the first completion landed (it can be done once), or the upload is gone. Either way
    // sending it again cannot show the file twice, and there is nothing more to do.
    if (platformError(again) === undefined) throw again;
    logger.info('second completion refused; the first one landed or the upload is gone', { fileId, error: platformError(again) });
  }
}

/** Whether a message of the thread carries the file (conversations.replies lists a message's `files`). */
async function inThread(target: UploadTarget, fileId: string): Promise<boolean> {
  const response = await target.client.conversations.replies({ channel: target.channel, ts: target.threadTs, limit: 1000 });
  return (response.messages ?? []).some((message) => (message.files ?? []).some((file) => file.id === fileId));
}

/** The files of the thread's messages after `ts`, by name and size (conversations.replies lists them). */
async function filesShownAfter(target: UploadTarget, ts: string): Promise<Set<string>> {
  const response = await target.client.conversations.replies({ channel: target.channel, ts: target.threadTs, limit: 1000 });
  const later = (response.messages ?? []).filter((message) => Number(message.ts ?? 0) > Number(ts));
  return new Set(later.flatMap((message) => (message.files ?? []).map((file) => fileKey(file.name ?? '', file.size ?? -1))));
}

function fileKey(name: string, size: number): string {
  return `${name}\u0000${size}`;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} kB` : `${bytes} bytes`;
}

/**
 * ThreadSink's `showFiles`: uploads a tool's files one after another; resolves with a line for the
 * tool's note naming the files that could not be shown, or undefined when all were.
 */
export function toolFileShower(target: UploadTarget, logger: Logger, options: UploadOptions = { maxBytes: DEFAULT_UPLOAD_MAX_BYTES }): (files: ToolFile[], comment?: string) => Promise<string | undefined> {
  let earlier: Promise<Set<string>> | undefined;
  return async (files, comment) => {
    const missed: string[] = [];
    for (const file of files) {
      if (options.shownAfter) {
        earlier ??= filesShownAfter(target, options.shownAfter).catch(() => new Set<string>());
        if ((await earlier).has(fileKey(file.name, Buffer.byteLength(file.data, 'base64')))) {
          logger.info('file already shown by an earlier attempt; not uploaded again', { file: file.name });
          continue;
        }
      }
      const outcome = await uploadOnce(target, file, comment ? { ...options, comment } : options, logger);
      if (!outcome.shown) missed.push(`${file.name} not shown: ${outcome.reason}`);
    }
    return missed.length > 0 ? missed.join('; ') : undefined;
  };
}
