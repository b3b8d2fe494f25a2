// What the bot offers servers as an MCP client: roots, elicitation and sampling, each declared only
// when the hub was given what it needs (a list of roots, a hook), so a server never asks for something
// nobody will answer. The hooks get the caller's context of the tool call the request belongs to.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallTracker, HookScope } from './call-tracker.js';
import { toElicitationRequest, toElicitResult } from './elicitation.js';
import { toCreateMessageResult, toSamplingRequest } from './sampling.js';
import type { ElicitationHandler, Root, SamplingHandler } from './types.js';

export interface ClientFeatures {
  roots?: Root[];
  onElicitation?: ElicitationHandler;
  onSampling?: SamplingHandler;
}

export function capabilitiesFor(features: ClientFeatures): ClientCapabilities {
  return {
    // The list is fixed for the hub's lifetime, so there are no list_changed notifications to promise.
    ...(features.roots ? { roots: { listChanged: false } } : {}),
    ...(features.onElicitation ? { elicitation: { form: {}, url: {} } } : {}),
    ...(features.onSampling ? { sampling: {} } : {}),
  };
}

/** Answers the server's requests on `client`. Registered before connect, as the SDK requires. */
export function installFeatureHandlers(client: Client, features: ClientFeatures, server: string, calls: CallTracker): void {
  const { roots, onElicitation, onSampling } = features;
  if (roots) {
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots.map((root) => ({ ...root })) }));
  }
  if (onElicitation) {
    client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
      const scope = calls.enterHook(extra.requestId);
      try {
        const answer = await onElicitation(toElicitationRequest(server, request.params), scope.context, { signal: hookSignal(extra.signal, scope) });
        return toElicitResult(answer);
      } finally {
        scope.release();
      }
    });
  }
  if (onSampling) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
      const sampling = toSamplingRequest(server, request.params);
      const scope = calls.enterHook(extra.requestId);
      try {
        return toCreateMessageResult(await onSampling(sampling, scope.context, { signal: hookSignal(extra.signal, scope) }));
      } finally {
        scope.release();
      }
    });
  }
}

/**
 * Aborts when the server withdraws its request, the session ends, or the call it belongs to is over
 * (cancelled by the person, failed): then a form still open in Slack can be taken back.
 */
function hookSignal(request: AbortSignal, scope: HookScope): AbortSignal {
  return scope.over ? AbortSignal.any([request, scope.over]) : request;
}
