// The servers' prompts and resources in Slack, through /mcp: `prompts` lists the prompts, `prompt
// server/name key=value ...` runs one (a new thread in the channel, answered like a question), and
// `resources` lists what can be attached to a question with `resource:<uri>`.
import type { PromptInfo, PromptResult, ResourceInfo } from '../../mcp/types.js';
import { clippedMrkdwn, escapeMrkdwn, inlineCode } from '../reply/escape.js';

/** The hub's prompts and resources; the lists ask only the servers `allowed` names (McpHub). */
export interface PromptCatalog {
  listPrompts(allowed: (server: string) => boolean): Promise<PromptInfo[]>;
  getPrompt(server: string, name: string, args?: Record<string, string>): Promise<PromptResult>;
  listResources(allowed: (server: string) => boolean): Promise<ResourceInfo[]>;
}

export function promptList(prompts: PromptInfo[]): string {
  if (prompts.length === 0) return 'No server here offers prompts.';
  const lines = prompts.slice(0, 50).map((p) => {
    const args = p.arguments.map((a) => (a.required ? `${a.name}=…` : `[${a.name}=…]`)).join(' ');
    return `• ${inlineCode(`${p.server}/${p.name}${args ? ' ' + args : ''}`)}${p.description ? ` — ${clippedMrkdwn(p.description, 150)}` : ''}`;
  });
  return `*Prompts* (run one with \`/mcp prompt server/name key=value …\`):\n${lines.join('\n')}`;
}

export function resourceList(resources: ResourceInfo[]): string {
  if (resources.length === 0) return 'No server here offers resources.';
  const lines = resources.slice(0, 50).map((r) => `• ${inlineCode(r.uri)} — ${clippedMrkdwn(r.title ?? r.name, 100)} (${escapeMrkdwn(r.server)})`);
  return `*Resources* (attach one to a question with \`resource:<uri>\`):\n${lines.join('\n')}${resources.length > 50 ? `\n…and ${resources.length - 50} more` : ''}`;
}

/** `server/name key=value key2="two words"` -> its parts, or what is wrong. */
export function parsePromptCommand(text: string): { server: string; name: string; args: Record<string, string> } | { error: string } {
  const tokens = [...text.matchAll(/(\S+?)="([^"]*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? `${m[1]}=${m[2]}` : (m[3] ?? '')));
  const [ref = '', ...rest] = tokens;
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return { error: 'Name the prompt as server/name, e.g. `/mcp prompt everything/simple-prompt`.' };
  const args: Record<string, string> = {};
  for (const token of rest) {
    const eq = token.indexOf('=');
    if (eq <= 0) return { error: `"${token}" is not key=value.` };
    args[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return { server: ref.slice(0, slash), name: ref.slice(slash + 1), args };
}

/** A prompt's messages as the text of the question that starts its thread. */
export function promptQuestion(result: PromptResult): string {
  const messages = result.messages.filter((m) => m.text.trim() !== '');
  if (messages.length === 1 && messages[0]?.role === 'user') return messages[0].text;
  return messages.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.text}`).join('\n\n');
}
