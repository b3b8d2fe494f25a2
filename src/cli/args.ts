// The terminal chat's command line: a server script, or --config <servers file>, or nothing.
export const USAGE = `usage: npm run chat -- path/to/server.(js|mjs|py|ts)
       npm run chat -- --config mcp.json
       npm run chat            (uses MCP_CONFIG or ./mcp.json)`;

export type ChatArgs =
  | { kind: 'run'; script?: string; config?: string }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

export function parseChatArgs(argv: string[]): ChatArgs {
  let script: string | undefined;
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--config' || arg === '-c' || arg.startsWith('--config=')) {
      config = arg.startsWith('--config=') ? arg.slice('--config='.length) : argv[++i];
      if (!config) return { kind: 'error', message: '--config needs the path of a servers file' };
    } else if (arg.startsWith('-')) {
      return { kind: 'error', message: `unknown option ${arg}` };
    } else if (script) {
      return { kind: 'error', message: `one server script at a time (got ${script} and ${arg}); use --config for several` };
    } else {
      script = arg;
    }
  }
  if (script && config) return { kind: 'error', message: 'give a server script or --config, not both' };
  return { kind: 'run', script, config };
}
