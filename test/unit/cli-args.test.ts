// The terminal chat's command line: a server script (the tutorial's shorthand), --config <file>, or
// nothing; anything else is refused with a reason the person can act on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChatArgs, USAGE } from '../../src/cli/args.js';

function errorOf(argv: string[]): string {
  const args = parseChatArgs(argv);
  assert.equal(args.kind, 'error', `${JSON.stringify(argv)} is refused`);
  return args.message;
}

describe('parseChatArgs', () => {
  it('runs with the default servers file when given nothing', () => {
    assert.deepEqual(parseChatArgs([]), { kind: 'run', script: undefined, config: undefined });
  });

  it('takes one server script, as the MCP client tutorial does', () => {
    assert.deepEqual(parseChatArgs(['path/to/server.js']), { kind: 'run', script: 'path/to/server.js', config: undefined });
    assert.deepEqual(parseChatArgs(['weather.py']), { kind: 'run', script: 'weather.py', config: undefined });
  });

  it('takes a servers file as --config <file>, --config=<file> or -c <file>', () => {
    const expected = { kind: 'run', script: undefined, config: 'team/mcp.json' };
    assert.deepEqual(parseChatArgs(['--config', 'team/mcp.json']), expected);
    assert.deepEqual(parseChatArgs(['--config=team/mcp.json']), expected);
    assert.deepEqual(parseChatArgs(['-c', 'team/mcp.json']), expected);
  });

  it('asks for help with -h or --help, wherever it appears', () => {
    assert.deepEqual(parseChatArgs(['-h']), { kind: 'help' });
    assert.deepEqual(parseChatArgs(['--help']), { kind: 'help' });
    assert.deepEqual(parseChatArgs(['server.js', '--help']), { kind: 'help' });
  });

  it('refuses --config without a file, however it is written', () => {
    assert.match(errorOf(['--config']), /--config needs the path of a servers file/);
    assert.match(errorOf(['-c']), /--config needs the path of a servers file/);
    assert.match(errorOf(['--config=']), /--config needs the path of a servers file/);
  });

  it('refuses two scripts and says to use --config for several servers', () => {
    const message = errorOf(['a.js', 'b.py']);
    assert.match(message, /one server script at a time/);
    assert.match(message, /a\.js and b\.py/);
    assert.match(message, /--config/);
  });

  it('refuses a script together with --config, in either order', () => {
    assert.match(errorOf(['server.js', '--config', 'mcp.json']), /not both/);
    assert.match(errorOf(['--config', 'mcp.json', 'server.js']), /not both/);
  });

  it('refuses an unknown option by name', () => {
    assert.equal(errorOf(['--verbose']), 'unknown option --verbose');
    assert.equal(errorOf(['server.js', '-x']), 'unknown option -x');
  });

  it('has a usage text that shows each way to run it', () => {
    assert.match(USAGE, /npm run chat -- path\/to\/server\.\(js\|mjs\|py\|ts\)/);
    assert.match(USAGE, /npm run chat -- --config mcp\.json/);
    assert.match(USAGE, /MCP_CONFIG or \.\/mcp\.json/);
  });
});
