// The floor under the ack rows: on this machine, how fast can any Node process answer a burst of 40
// (and of 500) signed Events API POSTs if it does nothing but read the body, check the signature, parse the JSON
// and answer 200? A bare node:http server in a child process, fired at from a worker thread exactly
// as the bot is in threads-at-once. Not the bot: a reference for what the ack target asks.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { TEST_SIGNING_SECRET } from '../../test/helpers/bot-harness.js';
import { appMention, nextTs } from '../../test/helpers/sign.js';
import { ASKER, BOT_USER } from '../lib/bench-bot.js';
import { signedEvent, startWorkerClient } from '../lib/burst-client.js';
import { track } from '../lib/children.js';
import { summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';

const SIZES = [40, 500];
const ROUNDS = 5;
const TIMEOUT_MS = 20_000;

/** Verifies v0 signatures as Bolt does (HMAC-SHA256 over v0:timestamp:body, compared in constant time). */
const SERVER_SOURCE = `
const http = require('node:http');
const crypto = require('node:crypto');
const secret = process.env.SIGNING_SECRET;
const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    const body = Buffer.concat(parts).toString('utf8');
    const ts = req.headers['x-slack-request-timestamp'];
    const expected = 'v0=' + crypto.createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
    const given = String(req.headers['x-slack-signature'] || '');
    const ok = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok) { res.writeHead(401); res.end(); return; }
    JSON.parse(body);
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export const ackFloor: Scenario = {
  id: 'ack-floor',
  method:
    `A reference, not the bot: a bare node:http server in a child process that reads the body, checks the Slack signature ` +
    `(HMAC-SHA256, constant-time compare), parses the JSON and answers 200. ${ROUNDS} bursts of ${SIZES.join(' and of ')} signed app_mention POSTs ` +
    'from a worker thread, after one untimed burst, as in threads-at-once; per request, send to HTTP response. It shows what the ' +
    'machine, Node and loopback HTTP cost before any bot code runs: the least an ack can take under this burst.',
  async run(ctx) {
    const child = spawn(process.execPath, ['-e', SERVER_SOURCE], { env: { SIGNING_SECRET: TEST_SIGNING_SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
    track(child);
    const worker = startWorkerClient();
    try {
      const stdout = child.stdout;
      if (!stdout) throw new Error('ack-floor: no stdout from the server');
      const [line] = (await Promise.race([
        once(stdout, 'data'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ack-floor: the server did not start')), TIMEOUT_MS)),
      ])) as [Buffer];
      const url = `http://127.0.0.1:${line.toString().trim()}/slack/events`;
      const rows: Row[] = [];
      for (const n of SIZES) {
        const burst = () =>
          Array.from({ length: n }, (_, i) =>
            signedEvent(url, appMention({ channel: `CFLOOR${i}`, user: ASKER, text: `<@${BOT_USER}> [bench:floor-${i}] a question`, ts: nextTs() })),
          );
        await worker.fire(burst(), TIMEOUT_MS);
        const samples: number[] = [];
        const slowest: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const results = await worker.fire(burst(), TIMEOUT_MS);
          const bad = results.find((r) => r.status !== 200);
          if (bad) throw new Error(`ack-floor: HTTP ${bad.status} ${bad.error ?? ''}`);
          samples.push(...results.map((r) => r.ms));
          slowest.push(Math.max(...results.map((r) => r.ms)));
        }
        const s = summarize(samples);
        ctx.log(`ack-floor: ${n} at once: p99 ${s.p99.toFixed(1)} ms`);
        rows.push({
          measurement: `ack floor: a bare node:http server (signature check, JSON parse, 200), ${n} POSTs at once`,
          unit: 'ms',
          n: s.n,
          p50: s.p50,
          p99: s.p99,
          max: s.max,
          notes: `slowest per burst: ${slowest.map((ms) => ms.toFixed(1)).join(', ')} ms; not the bot: the least an ack takes here`,
        });
      }
      return rows;
    } finally {
      await worker.close();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  },
};
