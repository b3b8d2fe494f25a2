// The one check for "a JSON object, not null and not an array", shared by every room that reads JSON
// it did not write (configuration files, model output, tool results, Slack payloads).
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
