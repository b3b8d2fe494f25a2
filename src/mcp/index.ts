// What the rest of the bot imports from the MCP room (the SDK itself stays inside src/mcp/).
export { McpHub, type McpHubOptions, type CatalogListener } from './hub.js';
export { loadServersFile, parseServersFile, type ParseOptions } from './servers-file.js';
export { serverFromScript, type ScriptServerOptions } from './script-server.js';
export { checkElicitationContent } from './elicitation.js';
export { checkElicitationUrl, type UrlCheck } from './url-elicitation.js';
export type { RestartPolicy } from './restart-policy.js';
export type * from './types.js';
export { botClientMetadata, type OAuthRecords } from './oauth-provider.js';
export type { Revocation } from './oauth-signin.js';
export type { OAuthHubSettings, Person } from './personal.js';
export type { PersonalView } from './hub.js';
