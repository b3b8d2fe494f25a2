// Attaching a server's resource to a question: `resource:<uri>` anywhere in the text (Slack may
// wrap a URI in <...>) reads that resource and adds its text to the question, so Claude sees it.
// Only servers the policy allows in the conversation are asked (the others are not even tried, so a
// resource of a server that is not allowed here reads as not found); images are described in words.
import type { ResourceContent } from '../../mcp/types.js';

export interface ResourceReader {
  /** Reads `uri` from one of the servers `allowed` lets it ask (McpHub.readResource). */
  readResource(uri: string, server: undefined, allowed: (server: string) => boolean): Promise<ResourceContent>;
}

const RESOURCE = /\bresource:\s*<?([a-z][a-z0-9+.-]*:[^\s<>|]+)(?:\|[^>]*)?>?/gi;
/** Enough for a document, not enough to crowd out the conversation. */
const MAX_CHARS = 40_000;

export function resourceUris(text: string): string[] {
  return [...new Set([...text.matchAll(RESOURCE)].map((m) => m[1] ?? '').filter((uri) => uri !== ''))].slice(0, 5);
}

/** The question with each attached resource's text after it, or a line saying why one is missing. */
export async function withResources(text: string, reader: ResourceReader, allowed: (server: string) => boolean): Promise<string> {
  const uris = resourceUris(text);
  if (uris.length === 0) return text;
  const parts = [text];
  for (const uri of uris) {
    try {
      const resource = await reader.readResource(uri, undefined, allowed);
      let body = resource.content.map((block) => (block.type === 'text' ? block.text : `[an image (${block.source.type === 'base64' ? block.source.media_type : 'image'})]`)).join('\n');
      if (body.length > MAX_CHARS) body = `${body.slice(0, MAX_CHARS)}\n[cut: showing ${MAX_CHARS.toLocaleString('en-US')} of ${body.length.toLocaleString('en-US')} characters]`;
      parts.push(`<attached_resource uri="${uri}" server="${resource.server}">\n${body}\n</attached_resource>`);
    } catch (error) {
      parts.push(`[Attached resource ${uri} could not be read: ${error instanceof Error ? error.message : String(error)}]`);
    }
  }
  return parts.join('\n\n');
}
