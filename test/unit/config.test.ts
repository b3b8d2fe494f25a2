// loadConfig: defaults, and for each bad value one line that names the variable, says what is wrong
// and how to fix it, with every problem of the environment reported together.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { DEFAULT_MODEL, DEFAULT_SYSTEM_PROMPT, loadConfig, secretsOf, type Config, type LoadOptions } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { oauthKeyProblems } from '../../src/settings.js';

const chat = { requireSlack: false };
const bot = { requireSlack: true };
const SOCKET_MODE = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A1-xyz' };

function problemsOf(env: NodeJS.ProcessEnv, options: LoadOptions = chat): string[] {
  try {
    loadConfig(env, options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.message, err.problems.join('\n'));
    return err.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig defaults', () => {
  it('needs nothing for the terminal chat, and fills in every default', () => {
    const config = loadConfig({}, chat);
    const expected: Config = {
      slack: undefined,
      port: 3000,
      anthropic: {
        apiKey: undefined,
        baseURL: undefined,
        model: DEFAULT_MODEL,
        maxTokens: 8192,
        maxRetries: 4,
        timeoutMs: 180_000,
        system: DEFAULT_SYSTEM_PROMPT,
      },
      mcp: { configPath: './mcp.json', explicit: false, callTimeoutMs: 60_000, roots: [], samplingMaxTokens: 1024 },
      store: { url: 'sqlite://data/bot.sqlite', ttlMs: 30 * 24 * 3600 * 1000, lockLeaseMs: 30_000 },
      approvals: { pollMs: 1000 },
      turns: { maxConcurrent: 256 },
      workers: 1,
      agent: { maxRounds: 10, historyBudgetTokens: 100_000, maxStoredBytes: 1_000_000 },
      // 24 MB each: the API's 32 MB request, base64-encoded.
      files: { maxFileBytes: 24 * 1024 * 1024, maxQuestionBytes: 24 * 1024 * 1024 },
      answerAsFileChars: 0,
      uploadMaxBytes: 20 * 1024 * 1024,
      toolTextAsFileChars: 0,
      oauth: { publicUrl: 'http://localhost:3000' },
      logLevel: 'info',
      // /metrics on PORT; no traces; no message content in traces.
      observe: { metrics: 'same', captureContent: false },
    };
    assert.deepEqual(config, expected);
  });

  it('treats empty and blank values as unset (an .env copied from .env.example is all empty)', () => {
    const env = { PORT: '', ANTHROPIC_MODEL: '   ', ANTHROPIC_MAX_TOKENS: ' ', MCP_CONFIG: '', STORE_URL: '', LOG_LEVEL: '', SYSTEM_PROMPT: '' };
    assert.deepEqual(loadConfig(env, chat), loadConfig({}, chat));
  });

  it('reads every setting that is given, trimmed', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        ANTHROPIC_API_KEY: ' sk-ant-key ',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:4010',
        ANTHROPIC_MODEL: 'claude-opus-9',
        ANTHROPIC_MAX_TOKENS: '256',
        ANTHROPIC_MAX_RETRIES: '0',
        ANTHROPIC_TIMEOUT_MS: '1000',
        SYSTEM_PROMPT: 'Be brief.',
        MCP_CONFIG: 'team/mcp.json',
        MCP_CALL_TIMEOUT_MS: '1000',
        MCP_ROOTS: ' /srv/docs , ./data ',
        SAMPLING_MAX_TOKENS: '300',
        STORE_URL: 'redis://cache:6379',
        HISTORY_TTL_DAYS: '2',
        LOCK_LEASE_MS: '5000',
        HISTORY_BUDGET_TOKENS: '1000',
        MAX_TOOL_ROUNDS: '100',
        THREAD_MAX_STORED_BYTES: ' 250000 ',
        UPLOAD_MAX_BYTES: '5000000',
        LOG_LEVEL: ' DEBUG ',
      },
      chat,
    );
    assert.equal(config.port, 8080);
    assert.deepEqual(config.anthropic, {
      apiKey: 'sk-ant-key',
      baseURL: 'http://127.0.0.1:4010',
      model: 'claude-opus-9',
      maxTokens: 256,
      maxRetries: 0,
      timeoutMs: 1000,
      system: 'Be brief.',
    });
    assert.deepEqual(config.mcp, { configPath: 'team/mcp.json', explicit: true, callTimeoutMs: 1000, roots: ['/srv/docs', './data'], samplingMaxTokens: 300 });
    assert.deepEqual(config.store, { url: 'redis://cache:6379', ttlMs: 2 * 24 * 3600 * 1000, lockLeaseMs: 5000 });
    assert.deepEqual(config.agent, { maxRounds: 100, historyBudgetTokens: 1000, maxStoredBytes: 250_000 });
    assert.equal(config.uploadMaxBytes, 5_000_000);
    assert.equal(config.logLevel, 'debug');
  });
});

describe('loadConfig problems', () => {
  const bad: { variable: string; value: string; says: RegExp }[] = [
    { variable: 'PORT', value: 'http', says: /whole number from 1 to 65535 \(default 3000\)/ },
    { variable: 'PORT', value: '0', says: /whole number from 1 to 65535/ },
    { variable: 'PORT', value: '65536', says: /whole number from 1 to 65535/ },
    { variable: 'PORT', value: '3000.5', says: /whole number from 1 to 65535/ },
    { variable: 'ANTHROPIC_MAX_TOKENS', value: '100', says: /from 256 to 128000 \(default 8192\)/ },
    { variable: 'ANTHROPIC_MAX_RETRIES', value: '-1', says: /from 0 to 10 \(default 4\)/ },
    { variable: 'ANTHROPIC_TIMEOUT_MS', value: '500', says: /from 1000 to 3600000 \(default 180000\)/ },
    { variable: 'MCP_CALL_TIMEOUT_MS', value: '30s', says: /from 1000 to 3600000 \(default 60000\)/ },
    { variable: 'HISTORY_TTL_DAYS', value: '0', says: /from 1 to 3650 \(default 30\)/ },
    { variable: 'HISTORY_BUDGET_TOKENS', value: '500', says: /from 1000 to 1000000 \(default 100000\)/ },
    { variable: 'MAX_TOOL_ROUNDS', value: 'many', says: /from 1 to 100 \(default 10\)/ },
    { variable: 'UPLOAD_MAX_BYTES', value: '2000000000', says: /from 1 to 1073741824 \(default 20971520\)/ },
    { variable: 'LOG_LEVEL', value: 'verbose', says: /not one of debug, info, warn, error \(default info\)/ },
    { variable: 'ANTHROPIC_BASE_URL', value: 'api.anthropic.com', says: /not an http\(s\) URL; leave it unset to use Anthropic's API/ },
    { variable: 'ANTHROPIC_BASE_URL', value: 'ftp://proxy.internal', says: /not an http\(s\) URL/ },
    { variable: 'STORE_URL', value: 'ftp://x', says: /not a store this bot knows; use sqlite:\/\/path, redis:\/\/host:port or memory:\/\// },
    { variable: 'STORE_URL', value: 'sqlite://', says: /names no file; use sqlite:\/\/path\/to\/file\.sqlite/ },
  ];
  for (const { variable, value, says } of bad) {
    it(`${variable}=${value} -> one line naming ${variable}, the value and the fix`, () => {
      const problems = problemsOf({ [variable]: value });
      assert.equal(problems.length, 1, problems.join('\n'));
      const [line = ''] = problems;
      assert.ok(line.startsWith(`${variable}: "${value}"`), line);
      assert.match(line, says);
      assert.ok(!line.includes('\n'), 'one line');
    });
  }

  it('reports every bad number and level together, one line each, in a stable order', () => {
    const problems = problemsOf({ PORT: 'x', MAX_TOOL_ROUNDS: '0', LOG_LEVEL: 'loud', HISTORY_TTL_DAYS: 'forever' });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['PORT', 'HISTORY_TTL_DAYS', 'MAX_TOOL_ROUNDS', 'LOG_LEVEL'],
    );
  });

  it('reports a bad number together with the Slack and URL problems, not one run at a time', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', ANTHROPIC_BASE_URL: 'nope' }, bot);
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['PORT', 'LOG_LEVEL', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET', 'ANTHROPIC_BASE_URL'],
    );
  });

  it('reports every Slack problem together', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_APP_TOKEN: 'xoxb-wrong-kind', SLACK_API_URL: 'slack.internal', ANTHROPIC_BASE_URL: 'nope' }, bot);
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'ANTHROPIC_BASE_URL'],
    );
  });
});

describe('loadConfig for the Slack bot', () => {
  it('needs ANTHROPIC_API_KEY when asked to, as one more problem among the others', () => {
    const problems = problemsOf({ ...SOCKET_MODE, PORT: 'x' }, { requireSlack: true, requireApiKey: true });
    assert.deepEqual(problems.map((p) => p.split(':')[0]), ['PORT', 'ANTHROPIC_API_KEY']);
    assert.match(problems[1] ?? '', /not set\. Create a key in the Anthropic console/);
  });

  it('without any Slack token, says how to create the app and that npm run chat needs none', () => {
    const problems = problemsOf({}, bot);
    assert.equal(problems.length, 2, problems.join('\n'));
    const [token = '', mode = ''] = problems;
    assert.match(token, /^SLACK_BOT_TOKEN: not set\./);
    assert.match(token, /manifest\.yml/);
    assert.match(token, /Bot User OAuth Token \(xoxb-\.\.\.\)/);
    assert.match(token, /npm run chat/);
    assert.match(mode, /^SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: neither is set/);
    assert.match(mode, /xapp-.*Socket Mode/);
    assert.match(mode, /Signing Secret.*HTTP mode/);
  });

  it('refuses a bot token that is not xoxb- and says where the right one is', () => {
    const problems = problemsOf({ ...SOCKET_MODE, SLACK_BOT_TOKEN: 'xoxp-123-user' }, bot);
    assert.deepEqual(problems, ['SLACK_BOT_TOKEN: does not start with xoxb-; use the Bot User OAuth Token from "OAuth & Permissions".']);
  });

  it('refuses an app token that is not xapp- and says how to create one', () => {
    const problems = problemsOf({ ...SOCKET_MODE, SLACK_APP_TOKEN: 'xoxb-1-2-abc' }, bot);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^SLACK_APP_TOKEN: does not start with xapp-; create an app-level token with connections:write/);
  });

  it('never prints a token it refuses', () => {
    const secret = 'xoxp-very-secret-user-token';
    assert.ok(!problemsOf({ SLACK_BOT_TOKEN: secret, SLACK_APP_TOKEN: 'xapp-x' }, bot).join('\n').includes(secret));
  });

  it('refuses a SLACK_API_URL that is not http(s)', () => {
    const problems = problemsOf({ ...SOCKET_MODE, SLACK_API_URL: 'localhost:4000' }, bot);
    assert.deepEqual(problems, [`SLACK_API_URL: "localhost:4000" is not an http(s) URL; leave it unset to use Slack's own.`]);
  });

  it('runs in Socket Mode with xoxb- and xapp- tokens', () => {
    const config = loadConfig({ ...SOCKET_MODE, SLACK_API_URL: 'http://127.0.0.1:4000/api/' }, bot);
    assert.deepEqual(config.slack, { botToken: 'xoxb-1-2-abc', appToken: 'xapp-1-A1-xyz', signingSecret: undefined, apiUrl: 'http://127.0.0.1:4000/api/' });
  });

  it('runs in HTTP mode with an xoxb- token and a signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'abc123', PORT: '3001' }, bot);
    assert.deepEqual(config.slack, { botToken: 'xoxb-1-2-abc', appToken: undefined, signingSecret: 'abc123', apiUrl: undefined });
    assert.equal(config.port, 3001);
  });

  it('does not look at Slack settings for the terminal chat', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'not-a-token', SLACK_APP_TOKEN: 'nope' }, chat);
    assert.equal(config.slack, undefined);
  });

  it('lists the secrets for the logger to redact', () => {
    const config = loadConfig({ ...SOCKET_MODE, SLACK_SIGNING_SECRET: 'sign-secret', ANTHROPIC_API_KEY: 'sk-ant-k' }, bot);
    assert.deepEqual(secretsOf(config).sort(), ['sign-secret', 'sk-ant-k', 'xapp-1-A1-xyz', 'xoxb-1-2-abc'].sort());
    assert.deepEqual(secretsOf(loadConfig({}, chat)), []);
  });

  it('takes WORKERS as a count or auto (one per available core), and refuses the rest with the fix', () => {
    assert.equal(loadConfig({ WORKERS: '2' }, chat).workers, 2);
    assert.equal(loadConfig({ WORKERS: 'auto' }, chat).workers, availableParallelism());
    assert.deepEqual(problemsOf({ WORKERS: 'many' }), ['WORKERS: "many" is not auto or a whole number from 1 to 64 (default 1)']);
    assert.deepEqual(problemsOf({ WORKERS: '0' }), ['WORKERS: "0" is not auto or a whole number from 1 to 64 (default 1)']);
  });

  it('refuses more than one worker on memory://, which the workers could not share', () => {
    const [problem] = problemsOf({ WORKERS: '2', STORE_URL: 'memory://' });
    assert.match(problem ?? '', /^WORKERS: .*sqlite:\/\/.*redis:\/\//);
    assert.equal(loadConfig({ WORKERS: '2', STORE_URL: 'redis://127.0.0.1:6379' }, chat).workers, 2);
  });
});

describe('loadConfig: monitoring', () => {
  it('serves /metrics on PORT by default, on a port of its own, or not at all', () => {
    assert.equal(loadConfig({}, chat).observe.metrics, 'same');
    assert.deepEqual(loadConfig({ METRICS_PORT: '9464' }, chat).observe.metrics, { port: 9464 });
    assert.equal(loadConfig({ METRICS_PORT: 'off' }, chat).observe.metrics, 'off');
    assert.equal(loadConfig({ METRICS_PORT: '0' }, chat).observe.metrics, 'off');
    assert.deepEqual(problemsOf({ METRICS_PORT: 'public' }), ['METRICS_PORT: "public" is not off, 0 or a port from 1 to 65535; leave it unset to serve /metrics on PORT']);
  });

  it('traces only with an http(s) OTLP endpoint, and keeps message content out unless told', () => {
    assert.equal(loadConfig({}, chat).observe.otlpEndpoint, undefined);
    assert.deepEqual(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' }, chat).observe, {
      metrics: 'same',
      otlpEndpoint: 'http://collector:4318',
      captureContent: true,
    });
    const problems = problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes' });
    assert.equal(problems.length, 2);
    assert.match(problems.join('\n'), /^OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "yes" is not true or false/m);
    assert.match(problems.join('\n'), /^OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http\(s\) URL/m);
  });
});

describe('loadConfig: OAuth settings', () => {
  it('takes PUBLIC_URL without its trailing slash and a 32-byte key, and names the fix for bad ones', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ PUBLIC_URL: 'https://bot.example.com/', TOKEN_ENCRYPTION_KEY: key }, chat);
    assert.equal(config.oauth.publicUrl, 'https://bot.example.com');
    assert.equal(config.oauth.key?.length, 32);
    const problems = problemsOf({ PUBLIC_URL: 'bot.example.com', TOKEN_ENCRYPTION_KEY: 'short' });
    assert.match(problems.join('\n'), /PUBLIC_URL: .*not an http\(s\) URL/);
    assert.match(problems.join('\n'), /TOKEN_ENCRYPTION_KEY: .*openssl rand -base64 32/);
  });

  it('stops the start with one line when the servers file has OAuth servers and no key is set', () => {
    const servers = [{ kind: 'remote' as const, name: 'docs', url: 'https://mcp.example.com/mcp', headers: {}, oauth: { grant: 'authorization_code' as const } }];
    const problems = oauthKeyProblems(servers);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^TOKEN_ENCRYPTION_KEY: not set, .*\(docs\).*openssl rand -base64 32/);
    assert.deepEqual(oauthKeyProblems([{ ...servers[0]!, oauth: undefined }]), []);
  });
});
