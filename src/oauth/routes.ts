// The bot's OAuth pages on PORT (HTTP and Socket Mode alike, beside /healthz): the callback and the
// Client ID Metadata Document (MCP authorization spec 2025-11-25, "Client ID Metadata Documents": a
// JSON document at an https URL that is itself the client_id, with the client's metadata).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { botClientMetadata } from '../mcp/index.js';
import { callbackHandler, type CallbackDeps } from './callback.js';
import { CALLBACK_PATH, CLIENT_METADATA_PATH, CLIENT_NAME } from './settings.js';

export interface Route {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export function oauthRoutes(publicUrl: string, callback: CallbackDeps): Route[] {
  const document = {
    client_id: `${publicUrl}${CLIENT_METADATA_PATH}`,
    ...botClientMetadata({ redirectUrl: `${publicUrl}${CALLBACK_PATH}`, clientName: CLIENT_NAME }),
  };
  return [
    { path: CALLBACK_PATH, method: ['GET'], handler: callbackHandler(callback) },
    {
      path: CLIENT_METADATA_PATH,
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' });
        res.end(JSON.stringify(document));
      },
    },
  ];
}
