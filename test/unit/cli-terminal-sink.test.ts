// TerminalSink: a turn's agent events -> the text the terminal chat prints. Tool notes go on lines of
// their own, the answer streams as it comes, and a turn always ends at the start of a line.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { AgentEvent } from '../../src/agent/types.js';
import { TerminalSink } from '../../src/cli/terminal-sink.js';
import { fileSaver } from '../../src/cli/saved-files.js';

const usage = { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

/** Feeds the events to a new sink; returns the pieces written, in order. */
function render(events: AgentEvent[]): string[] {
  const written: string[] = [];
  const sink = new TerminalSink({ write: (text) => written.push(text) });
  for (const event of events) sink.emit(event);
  return written;
}

const text = (delta: string): AgentEvent => ({ type: 'text', delta });
const started = (tool: string, input: unknown, server = 'files'): AgentEvent => ({ type: 'tool_started', id: 'toolu_0123456789abcdef', server, tool, input });
const finished = (tool: string, ok: boolean, summary: string, durationMs = 12, server = 'files'): AgentEvent => ({
  type: 'tool_finished',
  id: 'toolu_0123456789abcdef',
  server,
  tool,
  ok,
  durationMs,
  summary,
});
const done = (answer: string, notice?: string): AgentEvent =>
  notice === undefined ? { type: 'done', text: answer, stopReason: 'end_turn', usage, rounds: 1 } : { type: 'done', text: answer, stopReason: 'end_turn', notice, usage, rounds: 1 };

describe('TerminalSink', () => {
  it('writes each piece of the answer as it arrives', () => {
    assert.deepEqual(render([text('The launch '), text('is on '), text('Tuesday.')]), ['The launch ', 'is on ', 'Tuesday.']);
  });

  it('prints a whole turn: text, tool calls on their own lines, the answer, and ends at a line start', () => {
    const output = render([
      text('Let me check.'),
      started('read_file', { path: '/tmp/notes.txt' }),
      finished('read_file', true, 'the launch is on Tuesday', 7),
      text('It is on '),
      text('Tuesday.'),
      done('It is on Tuesday.'),
    ]).join('');
    assert.equal(
      output,
      [
        'Let me check.',
        '[tool] files/read_file {"path":"/tmp/notes.txt"}',
        '[tool] files/read_file done in 7 ms: the launch is on Tuesday',
        'It is on Tuesday.',
        '',
      ].join('\n'),
    );
  });

  it('marks a failed tool call as failed, with its reason', () => {
    const output = render([started('read_file', { path: 'x' }), finished('read_file', false, 'error: ENOENT: no such file', 3)]).join('');
    assert.equal(output, '[tool] files/read_file {"path":"x"}\n[tool] files/read_file failed in 3 ms: error: ENOENT: no such file\n');
  });

  it('leaves out the summary when there is none', () => {
    assert.equal(render([finished('ping', true, '', 1)]).join(''), '[tool] files/ping done in 1 ms\n');
  });

  it('shows progress under the name of the tool that reports it, with the count and the message', () => {
    const output = render([
      started('index', {}),
      { type: 'tool_progress', id: 'toolu_0123456789abcdef', progress: 2, total: 4, message: 'halfway' },
      { type: 'tool_progress', id: 'toolu_0123456789abcdef', progress: 3 },
      finished('index', true, 'indexed', 40),
    ]).join('');
    assert.equal(
      output,
      '[tool] files/index {}\n[tool] files/index progress 2/4 halfway\n[tool] files/index progress 3\n[tool] files/index done in 40 ms: indexed\n',
    );
  });

  it('falls back to the end of the call id for progress of a call it did not see start', () => {
    const output = render([{ type: 'tool_progress', id: 'toolu_0123456789abcdef', progress: 1, total: 2 }]).join('');
    assert.equal(output, '[tool] abcdef progress 1/2\n');
  });

  it('shows a call without input as {} and cuts long input short', () => {
    assert.equal(render([started('list', undefined)]).join(''), '[tool] files/list {}\n');
    const long = render([started('write', { content: 'x'.repeat(500) })]).join('');
    const line = long.trimEnd();
    assert.ok(line.endsWith('…'), 'it shows the input was cut');
    assert.equal(line.length, '[tool] files/write '.length + 160);
  });

  it('names a tool Claude invented without a stray server prefix', () => {
    const output = render([started('no_such_tool', {}, ''), finished('no_such_tool', false, 'no such tool', 0, '')]).join('');
    assert.equal(output, '[tool] no_such_tool {}\n[tool] no_such_tool failed in 0 ms: no such tool\n');
  });

  it('puts the notice of an incomplete answer on its own line', () => {
    const output = render([text('Part of an answer'), done('Part of an answer', 'The answer was cut short.')]).join('');
    assert.equal(output, 'Part of an answer\n(The answer was cut short.)\n');
  });

  it('ends a turn whose answer already ended with a newline without an empty line', () => {
    assert.equal(render([text('Done.\n'), done('Done.\n')]).join(''), 'Done.\n');
  });

  it('writes nothing for empty text and for the end of a turn with no answer', () => {
    assert.deepEqual(render([text(''), done('')]), []);
  });

  it('prints a failed turn as an error line after what was streamed', () => {
    const output = render([text('Half an ans'), { type: 'failed', message: 'Claude is overloaded right now; please try again.', error: new Error('529') }]).join('');
    assert.equal(output, 'Half an ans\nError: Claude is overloaded right now; please try again.\n');
  });
});

describe('TerminalSink: a tool\'s files', () => {
  it('saves them in a folder of their own, numbered, and prints where each went', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'chat-files-test-'));
    try {
      const written: string[] = [];
      const sink = new TerminalSink({ write: (text) => written.push(text) }, undefined, fileSaver(() => folder));
      const png = Buffer.from('not really a png');
      sink.emit(started('shot', {}));
      sink.emit({ type: 'tool_finished', id: 'toolu_1', server: 'files', tool: 'shot', ok: true, durationMs: 5, summary: 'image (png)', files: [{ name: 'image-1.png', mimeType: 'image/png', data: png.toString('base64') }, { name: '../../etc/passwd', mimeType: 'text/plain', data: 'eA==' }] });
      const output = written.join('');
      const first = path.join(folder, '1-image-1.png');
      assert.match(output, new RegExp(`\\[file\\] image-1\\.png saved as ${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
      assert.deepEqual(readFileSync(first), png);
      assert.deepEqual(readdirSync(folder).sort(), ['1-image-1.png', '2-passwd'], 'no path parts from the tool');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
