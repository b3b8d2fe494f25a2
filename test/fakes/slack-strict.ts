// strictSlack(): after each test, every fake Slack API started in this process must have answered
// only what the test asked for. An error answer (ok: false, or HTTP 4xx/5xx) that no knob injected
// (failNext, respond, tokens, an expired stream) and no expectError() named fails the test, with the
// call, its body (shortened) and the error, so that a silent fallback in the bot cannot hide a
// payload real Slack would refuse. The Anthropic fake has the same check (strictFake()).
import { after, afterEach } from 'node:test';
import { startedFakes, type RecordedCall } from './slack-api.js';

const BODY_CHARS = 600;

/** Call at the top of a test file that uses the fake Slack API (through a harness or directly). */
export function strictSlack(): void {
  afterEach(() => check());
  // Calls made while the suite shuts down (after the last test) are checked too.
  after(() => check());
}

function check(): void {
  const found: string[] = [];
  for (const fake of startedFakes) {
    for (const call of fake.takeUnexpectedErrors()) found.push(describe(call));
    if (fake.isClosed) startedFakes.delete(fake);
  }
  if (found.length > 0) {
    throw new Error(`the fake Slack API answered ${found.length} error(s) the test did not inject:\n${found.join('\n')}`);
  }
}

function describe(call: RecordedCall): string {
  const error = typeof call.response?.error === 'string' ? call.response.error : `HTTP ${call.status ?? '?'}`;
  const metadata = call.response?.response_metadata;
  const messages = typeof metadata === 'object' && metadata !== null && 'messages' in metadata ? ` ${JSON.stringify(metadata.messages)}` : '';
  let body = JSON.stringify(call.body);
  if (body.length > BODY_CHARS) body = `${body.slice(0, BODY_CHARS)}… (${body.length} chars)`;
  return `- ${call.method} -> ${error}${messages}\n  body: ${body}`;
}
