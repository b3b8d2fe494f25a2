// How large a file the bot uploads into a thread may be: a tool's file, an answer as a file.

/** Slack's own cap on one uploaded file (docs.slack.dev/reference/methods/files.getUploadURLExternal: 1 GB). */
export const SLACK_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024;

/** UPLOAD_MAX_BYTES' default: a tool's file travels base64 in memory, so far lower than Slack's cap. */
export const DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

/** The cap for one turn: the setting, lowered by the policy's `limits.fileBytes` when that is lower. */
export function uploadCap(setting: number, policyFileBytes: number | undefined): number {
  return policyFileBytes === undefined ? setting : Math.min(setting, policyFileBytes);
}
