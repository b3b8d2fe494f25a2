// The start-up model check against the strict fake: a served model passes, an id the API does not
// serve stops the start with one line naming ANTHROPIC_MODEL, and an API that cannot be asked only
// warns (a closed port, or a gateway whose 404 is not the API's own "no such model").
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { requireKnownModel } from '../../src/agent/model-check.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../helpers/bot-process.js';
import { strictFake, TEST_MODEL } from '../fakes/anthropic-harness.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

describe('start-up model check', () => {
  const suite = strictFake();

  it('passes for a model the API serves, with one Models API call', async () => {
    const { lines, logger } = capturingLogger();
    await requireKnownModel(suite.fake.client(), TEST_MODEL, logger);
    const asked = suite.fake.requests.filter((r) => r.method === 'GET' && r.path === `/v1/models/${TEST_MODEL}`);
    assert.equal(asked.length, 1);
    assert.deepEqual(lines.filter((l) => l.level === 'warn'), []);
  });

  it('stops with one line naming ANTHROPIC_MODEL and the fix for an id the API does not serve', async () => {
    const { logger } = capturingLogger();
    await assert.rejects(requireKnownModel(suite.fake.client(), 'claude-sonnet-5-6', logger), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 1);
      const [line = ''] = error.problems;
      assert.match(line, /^ANTHROPIC_MODEL: /);
      assert.ok(line.includes('"claude-sonnet-5-6"'), line);
      assert.match(line, /unset it to use the default/);
      assert.ok(!line.includes('\n'));
      return true;
    });
    // The fake's 404 is a refusal; this test meant to get it.
    suite.fake.rejections.length = 0;
  });

  it('warns and goes on when the API cannot be reached', async () => {
    const { lines, logger } = capturingLogger();
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: `http://127.0.0.1:${await freePort()}`, maxRetries: 3 });
    await requireKnownModel(client, TEST_MODEL, logger);
    const warning = lines.find((l) => l.level === 'warn');
    assert.ok(warning, JSON.stringify(lines));
    assert.match(String(warning.msg), /could not check ANTHROPIC_MODEL/);
    assert.equal(warning.reason, 'the API could not be reached');
  });

  it('warns, and does not call the model unknown, when a gateway has no Models API (a plain 404)', async () => {
    const gateway = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    try {
      const { lines, logger } = capturingLogger();
      const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, maxRetries: 0 });
      await requireKnownModel(client, TEST_MODEL, logger);
      assert.equal(lines.find((l) => l.level === 'warn')?.reason, 'HTTP 404');
    } finally {
      gateway.close();
    }
  });
});
