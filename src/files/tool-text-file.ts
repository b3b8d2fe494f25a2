// A tool's long text result as a file for people (TOOL_TEXT_AS_FILE_CHARS): `<tool>-result.json`
// when the whole text parses as a JSON object or array, else `<tool>-result.txt`. Claude still gets
// the text in its tool result as before; the file is for the people in the thread.
import type { ToolFile } from '../agent/content.js';

export function toolTextFile(tool: string, text: string): ToolFile {
  const base = `${tool.replace(/[^\w.-]/g, '_') || 'tool'}-result`;
  const json = isJsonDocument(text);
  return { name: `${base}.${json ? 'json' : 'txt'}`, mimeType: json ? 'application/json' : 'text/plain', data: Buffer.from(text, 'utf8').toString('base64') };
}

function isJsonDocument(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
