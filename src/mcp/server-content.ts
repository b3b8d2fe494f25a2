// Prompts and resources across servers, for the hub. Lists ask only the servers that are up and declared
// the feature (a server being restarted is left out rather than waited for); a named server is waited
// for like a tool call. A resource is read from the server that lists it, or else from the first server
// that can read it (URIs from resource templates are listed nowhere).
import type { Logger } from '../log.js';
import type { ServerConnection } from './connection.js';
import { convertPrompt, convertResource } from './content-convert.js';
import type { McpSession, RequestLimits } from './session.js';
import type { PromptInfo, PromptResult, ResourceContent, ResourceInfo, ResourceTemplateInfo } from './types.js';

export interface ContentSources {
  connections: ServerConnection[];
  timeoutMs: number;
  log: Logger;
}

/** Which servers may be asked at all (the access policy for one conversation); absent = every one. */
export type ServerFilter = (server: string) => boolean;

/** Only the servers `allowed` names: the others are neither listed nor called. */
export function restrictedTo(sources: ContentSources, allowed: ServerFilter | undefined): ContentSources {
  return allowed === undefined ? sources : { ...sources, connections: sources.connections.filter((c) => allowed(c.name)) };
}

type Feature = keyof McpSession['offers'];

/** Runs `list` on every live server offering `feature`, in config order; a failing server is skipped. */
async function fromEach<T extends { server: string }>(
  sources: ContentSources,
  feature: Feature,
  list: (session: McpSession, limits: RequestLimits) => Promise<Omit<T, 'server'>[]>,
): Promise<T[]> {
  const offering = sources.connections.filter((c) => c.live?.offers[feature]);
  const lists = await Promise.all(
    offering.map(async (c): Promise<T[]> => {
      try {
        const items = await c.use((session) => list(session, { timeoutMs: sources.timeoutMs }), sources.timeoutMs);
        return items.map((item) => ({ server: c.name, ...item }) as T);
      } catch (err) {
        sources.log.warn(`could not list ${feature}`, { server: c.name, error: err instanceof Error ? err.message : String(err) });
        return [];
      }
    }),
  );
  return lists.flat();
}

export function listPrompts(sources: ContentSources): Promise<PromptInfo[]> {
  return fromEach<PromptInfo>(sources, 'prompts', async (session, limits) =>
    (await session.listPrompts(limits)).map((p) => ({
      name: p.name,
      ...(p.title === undefined ? {} : { title: p.title }),
      ...(p.description === undefined ? {} : { description: p.description }),
      arguments: (p.arguments ?? []).map((a) => ({
        name: a.name,
        ...(a.description === undefined ? {} : { description: a.description }),
        required: a.required === true,
      })),
    })),
  );
}

export async function getPrompt(sources: ContentSources, server: string, name: string, args: Record<string, string>): Promise<PromptResult> {
  const connection = named(sources, server);
  return connection.use(async (session) => {
    if (!session.offers.prompts) throw new Error(`the "${server}" server offers no prompts`);
    return convertPrompt(await session.getPrompt(name, args, { timeoutMs: sources.timeoutMs }));
  }, sources.timeoutMs);
}

export function listResources(sources: ContentSources): Promise<ResourceInfo[]> {
  return fromEach<ResourceInfo>(sources, 'resources', async (session, limits) =>
    (await session.listResources(limits)).map((r) => ({
      uri: r.uri,
      name: r.name,
      ...(r.title === undefined ? {} : { title: r.title }),
      ...(r.description === undefined ? {} : { description: r.description }),
      ...(r.mimeType === undefined ? {} : { mimeType: r.mimeType }),
      ...(r.size === undefined ? {} : { size: r.size }),
    })),
  );
}

export function listResourceTemplates(sources: ContentSources): Promise<ResourceTemplateInfo[]> {
  return fromEach<ResourceTemplateInfo>(sources, 'resources', async (session, limits) =>
    (await session.listResourceTemplates(limits)).map((t) => ({
      uriTemplate: t.uriTemplate,
      name: t.name,
      ...(t.title === undefined ? {} : { title: t.title }),
      ...(t.description === undefined ? {} : { description: t.description }),
      ...(t.mimeType === undefined ? {} : { mimeType: t.mimeType }),
    })),
  );
}

export async function readResource(sources: ContentSources, uri: string, server?: string): Promise<ResourceContent> {
  const read = (connection: ServerConnection) =>
    connection.use(async (session) => {
      if (!session.offers.resources) throw new Error(`the "${connection.name}" server offers no resources`);
      return convertResource(connection.name, uri, await session.readResource(uri, { timeoutMs: sources.timeoutMs }));
    }, sources.timeoutMs);
  if (server !== undefined) return read(named(sources, server));

  const listed = await listResources(sources);
  const owner = listed.find((r) => r.uri === uri)?.server;
  const candidates = sources.connections.filter((c) => c.live?.offers.resources);
  const ordered = owner === undefined ? candidates : candidates.filter((c) => c.name === owner);
  const reasons: string[] = [];
  for (const connection of ordered) {
    try {
      return await read(connection);
    } catch (err) {
      reasons.push(`${connection.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (candidates.length === 0) throw new Error(`no server that offers resources here is up, so "${uri}" cannot be read`);
  throw new Error(`no server could read "${uri}" (${reasons.join('; ')})`);
}

function named(sources: ContentSources, server: string): ServerConnection {
  const connection = sources.connections.find((c) => c.name === server);
  if (!connection) throw new Error(`there is no server named "${server}"`);
  return connection;
}
