// The Slack bot, wired: engine (store, MCP hub, agent) -> Slack front. main.ts owns the process
// (env, signals, exit codes); tests call startBot directly with fakes behind the URLs.
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import type { Config } from './config.js';
import { createCoordinator } from './coordination/index.js';
import { startEngine, type ServerQuestions } from './engine.js';
import type { Logger } from './log.js';
import { warnNoServersFile } from './servers.js';
import { checkFiles, type BotFiles } from './settings.js';
import { openStore, type Store } from './store.js';
import { createSpendKeeper, createSpendLedger, type WithLock } from './spend/index.js';
import { needsApproval, personLimits } from './policy/index.js';
import { conversationKey } from './slack/intake/question.js';
import { createAnswerer, FEEDBACK_ACTION_ID } from './slack/answer.js';
import { createFileLoader, fileOrigins, fileRefs } from './slack/intake/files.js';
import { findAnswer, type AnswerState } from './slack/reply/reply-metadata.js';
import { createAcksInFlight, createWorkers, openInbox, type Inbox, type Workers } from './intake/index.js';
import { createApprovals } from './slack/questions/approvals.js';
import { createElicitations } from './slack/questions/elicitation.js';
import { createSamplingHandler } from './slack/questions/sampling.js';
import { createSlackApp, LogLevel } from './slack/app.js';
import { DEFAULT_DEDUPE_TTL_MS } from './slack/intake/dedupe.js';
import { DEFAULT_MAX_MESSAGE_CHARS } from './slack/reply/reply-writer.js';
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_KEEP_ALIVE_MS, DEFAULT_PROGRESS_INTERVAL_MS } from './slack/reply/thread-sink.js';
import { createRecentThreads } from './slack/home/recent-threads.js';
import { checkSlack } from './slack/web/slack-check.js';
import { createSlackHealth, waitForSlack, type SlackHealthOptions } from './slack/web/slack-reach.js';
import { StartGroup } from './process/start-group.js';
import { conversationHash, type WorkerSlot } from './process/shard.js';
import { createPhaseClock } from './process/phase-clock.js';
import { startObservability, type Observability } from './observe/index.js';
import { listenForScrapes, metricsRoute, type MetricsListener } from './observe/endpoint.js';
import { questionSpan } from './observe/question-span.js';
import { countStoreErrors, storeObserver } from './observe/store-ops.js';
import { withTraceIds } from './observe/traced-logger.js';
import { createSealer } from './oauth/seal.js';
import { createStates } from './oauth/states.js';
import { oauthRoutes } from './oauth/routes.js';
import { createAccounts } from './slack/oauth/accounts.js';
import { createConnectGate } from './slack/oauth/connect.js';
import { isQuestion } from './slack/intake/question.js';

export interface BotHandle {
  /** The port /slack/events (HTTP mode) and /healthz listen on. */
  port: number;
  /** The port of GET /metrics when it has one of its own (METRICS_PORT). */
  metricsPort?: number;
  /** Stops taking events, lets answers under way finish (up to graceMs), closes servers and store. */
  stop(graceMs: number): Promise<void>;
}

export interface BotDeps {
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** The servers and policy files as main.ts checked them with the settings; read here when not given. */
  files?: BotFiles;
  /**
   * Aborted when the process is told to stop while the bot starts: the wait for Slack and the start
   * of the MCP servers stop at once (other steps finish first), what has started is closed, and
   * startBot rejects.
   */
  signal?: AbortSignal;
  /** How old Slack's last answer may be before /healthz asks again; tests shorten them. */
  slackRecheck?: Pick<SlackHealthOptions, 'okMaxAgeMs' | 'failingMaxAgeMs'>;
  /** How often a turn waiting for approval checks the store (default APPROVAL_POLL_MS); tests shorten it. */
  approvalPollMs?: number;
  /** How long a tool note may go without news before it is shown again (default 60 s); tests shorten it. */
  keepAliveMs?: number;
  /**
   * Checks that run beside the start (main.ts: the model check); one that rejects stops the start,
   * and startBot rejects with its reason after closing what had started.
   */
  checks?: Promise<void>[];
  /** One of several worker processes (WORKERS > 1, src/process/): it takes only its own threads' questions. */
  worker?: WorkerSlot;
  /** Called once the store and the inbox are open (the first worker: the file exists for the others). */
  onStorageOpen?: () => void;
  /** Metrics and traces; default built from config.observe (tests give one with an in-memory span exporter). */
  observability?: Observability;
}

/** The slash command in manifest.yml. */
const SLASH_COMMAND = '/mcp';

/** How often idle workers look in the inbox for questions another replica accepted or left behind. */
const INBOX_POLL_MS = 500;

const LOADING_MESSAGES = ['Reading the thread…', 'Thinking…', 'Asking the tools…', 'Putting the answer together…'];

export async function startBot(config: Config, { logger: givenLogger, env, approvalPollMs = config.approvals.pollMs, keepAliveMs, signal, ...deps }: BotDeps): Promise<BotHandle> {
  const slack = config.slack;
  if (!slack) throw new Error('startBot needs the Slack settings');
  // Metrics unless METRICS_PORT=off, traces with OTEL_EXPORTER_OTLP_ENDPOINT (src/observe/): loaded
  // beside the Slack check and the store (prom-client alone is about 40 ms of a start), and needed
  // first by the engine. While tracing, the log lines written inside a question's trace carry its ids.
  const observing = deps.observability ? Promise.resolve(deps.observability) : startObservability(config.observe);
  const traced = (observability: Observability): Logger => (observability.traced ? withTraceIds(givenLogger, observability.telemetry) : givenLogger);
  const { servers, serversFile, policy: loadedPolicy, prices } = deps.files ?? checkFiles(config.mcp, env);
  if (!serversFile) warnNoServersFile(config.mcp, givenLogger);
  const { policy, file: policyFile } = loadedPolicy;
  givenLogger.info('access policy', { file: policyFile ?? '(none: defaults)' });
  // Everything that does not depend on something else starts at once (src/process/start-group.ts):
  // the Slack check (waiting for Slack while it cannot be reached), the store and the MCP servers,
  // the inbox, and the caller's checks (the model). A refused token or an unknown model aborts the
  // rest, and whatever had started is closed again before startBot rejects.
  const clock = createPhaseClock(givenLogger, 'start-up');
  const group = new StartGroup(signal);
  // Servers' questions (forms, requests to use Claude) are answered in the thread of the tool call
  // that led to them; the handlers exist once the Slack side below is built.
  let questions: ServerQuestions = {};
  const reaching = group.add(clock.time('slack check', waitForSlack(slack, { logger: givenLogger.child({ room: 'slack' }), signal: group.signal })));
  // Opened once the telemetry is known: each store operation is then a span and a count (observe/store-ops.ts).
  const storing = clock.time('store', observing.then((observability) => openStore(config.store.url, 'bot', storeObserver(observability.telemetry))));
  const starting = group.add(
    clock.time(
      'store and MCP servers',
      observing.then((observability) => startEngine(config, servers, traced(observability), { questions: () => questions, signal: group.signal, store: storing, telemetry: observability.telemetry })),
    ),
    (engine) => engine.close(),
  );
  // The inbox between Slack's ack and the turns, in the store itself (sqlite file, Redis; memory).
  // Opened once the store is: two connections making a new sqlite file at once (WAL mode, tables)
  // can get SQLITE_BUSY.
  const opening = group.add(
    clock.time(
      'inbox',
      storing.then((store) => openInbox(config.store.url, {
        claimTtlMs: DEFAULT_DEDUPE_TTL_MS,
        engagedTtlMs: config.store.ttlMs,
        leaseMs: config.store.lockLeaseMs,
        logger: givenLogger.child({ room: 'intake' }),
        // Threads the bot answered in before the inbox existed stay its own (intake/legacy-engaged.ts).
        legacyMarks: store,
        ...(deps.worker ? { shard: { ...deps.worker, hash: conversationHash } } : {}),
      })),
    ),
    (inbox) => inbox.close(),
  );
  if (deps.onStorageOpen) void opening.then(deps.onStorageOpen, () => undefined);
  // Their outcome is read by group.done(), which fails the start if one rejected.
  for (const check of deps.checks ?? []) void group.add(clock.time('start-up check', check));
  await group.done();
  const [reached, engine, inbox, observability] = await Promise.all([reaching, starting, opening, observing]);
  const { telemetry } = observability;
  const logger = traced(observability);
  if (observability.registry) countStoreErrors(engine.store, telemetry);
  const slackHealth = createSlackHealth({
    initial: reached.status,
    recheck: async () => (await checkSlack(slack, { appToken: false })).status,
    logger: logger.child({ room: 'slack' }),
    ...deps.slackRecheck,
  });
  // Claims and thread locks: in this process for sqlite:// and memory://, shared through Redis
  // for redis://, so replicas answer each message once and a thread's messages in order.
  let coordinator: Awaited<ReturnType<typeof createCoordinator>>;
  try {
    coordinator = await clock.time(
      'coordination',
      createCoordinator(config.store.url, {
        store: engine.store,
        logger: logger.child({ room: 'coordination' }),
        leaseMs: config.store.lockLeaseMs,
      }),
    );
  } catch (error) {
    await Promise.all([inbox.close(), engine.close()]);
    throw error;
  }
  await closeIfStopped(signal, () => coordinator.close(), () => inbox.close(), () => engine.close());
  // V8's heap limit, logged so a deployment can see the one it runs with (README, "Running in production").
  logger.info('inbox open', { kind: inbox.kind, durable: inbox.durable, maxConcurrentTurns: config.turns.maxConcurrent, heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) });
  const approvals = createApprovals({ store: engine.store, settle: (...args) => coordinator.settle(...args), logger: logger.child({ room: 'slack' }), policy, pollMs: approvalPollMs, metrics: telemetry });
  const elicitations = createElicitations({ store: engine.store, settle: (...args) => coordinator.settle(...args), logger: logger.child({ room: 'slack' }), timeoutMs: policy.approval.timeoutSeconds * 1000, pollMs: approvalPollMs });
  questions = {
    elicitation: elicitations.handler,
    sampling: createSamplingHandler({
      approvals,
      sampler: engine.sampler,
      logger: logger.child({ room: 'slack' }),
      timeoutMs: policy.approval.timeoutSeconds * 1000,
      maxTokensCap: config.mcp.samplingMaxTokens,
    }),
  };
  const shutdown = new AbortController();
  // OAuth sign-in (TOKEN_ENCRYPTION_KEY set): the Connect prompt before a turn, and the callback.
  const signIn = config.oauth.key ? createStates(engine.store, createSealer(config.oauth.key)) : undefined;
  // The short locks that a read-change-write of one store entry takes (in Redis for replicas).
  const shortLock: WithLock = (key, fn) => coordinator.withLock(key, () => fn(), { leaseMs: 10_000, waitMs: 10_000 });
  const recent = createRecentThreads(engine.store, config.store.ttlMs, shortLock);
  // Spend per person, channel and day, under the same short locks as recent threads (replicas add up).
  const spend = createSpendKeeper({
    ledger: createSpendLedger(engine.store, shortLock),
    prices,
    model: config.anthropic.model,
    dailySpendUsd: policy.limits.dailySpendUsd,
    logger: logger.child({ room: 'spend' }),
  });
  // They answer with the answerer below (called only once started, after it exists), and take no
  // new question while Slack waits for an ack (acks-in-flight.ts).
  const acks = createAcksInFlight();
  const workers = createWorkers({
    inbox,
    acks,
    max: config.turns.maxConcurrent,
    pollMs: INBOX_POLL_MS,
    // One trace per question (observe/question-span.ts).
    handle: (taken) => questionSpan(telemetry, taken, () => answerer.work(taken)),
    logger: logger.child({ room: 'intake' }),
  });
  const answerer = createAnswerer({
    turns: engine.conversations,
    inbox,
    wake: () => workers.wake(),
    client: () => front.app.client,
    // What a dead attempt left in the thread, found by the question's id in message metadata.
    // If the thread cannot be read, the question is answered again: a repeat beats silence.
    priorAnswer: (question) =>
      findAnswer(front.app.client, question, reached.identity.botUserId).catch((error: unknown): AnswerState => {
        logger.warn('could not read the thread of a resumed question', { conversation: question.key, error: error instanceof Error ? error.message : String(error) });
        return { state: 'none' };
      }),
    recent,
    policy,
    limits: personLimits(policy.limits, coordinator, logger.child({ room: 'policy' })),
    spend,
    tools: engine.hub,
    resources: engine.hub,
    files: createFileLoader({
      token: slack.botToken,
      origins: fileOrigins(slack.apiUrl),
      caps: config.files,
      fileInfo: async (id) => fileRefs([(await front.app.client.files.info({ file: id })).file])[0],
    }, logger.child({ room: 'slack' })),
    approvals,
    ...(signIn ? { connect: createConnectGate({ hub: engine.hub, states: signIn, store: engine.store, logger: logger.child({ room: 'oauth' }) }) } : {}),
    shutdown: shutdown.signal,
    logger: logger.child({ room: 'slack' }),
    telemetry,
    options: {
      flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS,
      progressIntervalMs: DEFAULT_PROGRESS_INTERVAL_MS,
      keepAliveMs: keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
      maxMessageChars: DEFAULT_MAX_MESSAGE_CHARS,
      answerAsFileChars: config.answerAsFileChars,
      uploadMaxBytes: config.uploadMaxBytes,
      toolTextAsFileChars: config.toolTextAsFileChars,
      feedbackActionId: FEEDBACK_ACTION_ID,
      loadingMessages: LOADING_MESSAGES,
    },
  });
  const front = createSlackApp({
    slack,
    identity: reached.identity,
    port: config.port,
    logger: logger.child({ room: 'slack' }),
    logLevel: config.logLevel === 'debug' ? LogLevel.DEBUG : LogLevel.INFO,
    answerer,
    feedbackActionId: FEEDBACK_ACTION_ID,
    acks,
    telemetry,
    routes: [
      // GET /metrics beside /healthz, unless METRICS_PORT moves it to a port of its own or turns it off.
      ...(observability.registry && config.observe.metrics === 'same' ? [metricsRoute(observability.registry)] : []),
      // The OAuth callback and the client metadata document (TOKEN_ENCRYPTION_KEY set).
      ...(signIn
        ? oauthRoutes(config.oauth.publicUrl, {
            states: signIn,
            finish: (binding, code, state) => engine.hub.finishSignIn(binding, binding.server, code, state),
            then: async (binding) => {
              if (isQuestion(binding.then)) await answerer.resume(binding.then, binding.server);
            },
            logger: logger.child({ room: 'oauth' }),
          })
        : []),
    ],
    // Not ready while Slack cannot be reached or refuses the token: such a replica cannot answer.
    // The store's state is reported, not made a reason to take the replica out: when Redis is away
    // every replica is, and each still tells people so.
    health: async () => {
      const slackStatus = slackHealth.status();
      // OAuth servers are listed by name only: each person has their own session, none is the replica's.
      const oauth = engine.hub.oauthServers().map((name) => ({ name, state: 'per person' }));
      return { ready: slackStatus.state === 'ok', slack: slackStatus, store: await storeState(engine.store), servers: engine.hub.health(), ...(oauth.length > 0 ? { oauth } : {}), turns: await turnsState(inbox, workers) };
    },
    approvals,
    elicitations,
    overview: {
      command: SLASH_COMMAND,
      catalog: engine.hub,
      policy,
      startThread: async ({ teamId, channel, userId, ts, question }) => {
        const thread = { teamId, channel, ts, threadTs: ts, userId, text: question, isDirect: channel.startsWith('D'), key: conversationKey(teamId, channel, ts) };
        await answerer.accept(thread, undefined);
      },
      recent,
      spend: (teamId) => spend.summary(teamId),
      overview: async (teamId, userId) => ({
        servers: engine.hub.status(),
        tools: engine.hub.listTools(),
        needsApproval: (tool) => needsApproval(policy, tool),
        recent: await recent.list(teamId, userId),
      }),
      // The conversation's token use is kept with it (agent/conversation.ts): one delete.
      forget: (key) => engine.conversations.forget(key),
      ...(signIn ? { accounts: createAccounts({ hub: engine.hub, states: signIn, logger: logger.child({ room: 'oauth' }) }) } : {}),
      logger: logger.child({ room: 'slack' }),
    },
  });
  observability.watchState({ servers: () => engine.hub.status(), turns: () => turnsState(inbox, workers) });
  let port: number;
  let scrapes: MetricsListener | undefined;
  try {
    port = await clock.time('slack front start', front.start());
    // Its own port: one per worker process (WORKERS > 1), METRICS_PORT + the worker's index.
    const metrics = config.observe.metrics;
    if (observability.registry && typeof metrics === 'object') scrapes = await listenForScrapes(observability.registry, metrics.port === 0 ? 0 : metrics.port + (deps.worker?.index ?? 0));
  } catch (error) {
    await Promise.all([front.stop().catch(() => undefined), inbox.close(), coordinator.close(), engine.close(), observability.close()]);
    throw error;
  }
  const closeScrapes = async () => {
    await scrapes?.close();
    await observability.close();
  };
  await closeIfStopped(signal, () => front.stop(), closeScrapes, () => inbox.close(), () => coordinator.close(), () => engine.close());
  // Questions accepted before a crash or a stop are in the inbox already: the workers take them now.
  workers.start();
  return {
    port,
    ...(scrapes ? { metricsPort: scrapes.port } : {}),
    async stop(graceMs) {
      const phases = createPhaseClock(logger, 'stop');
      await phases.time('slack front stop', front.stop());
      const drained = await phases.time('answers under way', workers.stop(graceMs));
      if (!drained) {
        logger.warn('answers still running at shutdown are stopped', { running: workers.running });
        const later = inbox.durable ? 'I will answer it again when I am back.' : 'please ask again in a minute.';
        shutdown.abort({ userMessage: `The bot is restarting, so this answer was stopped; ${later}` });
        await workers.stop(2000);
      }
      // Approvals of stopped answers still update their messages ("did not run") before the store closes.
      // The wait's timer is unref'd: with nothing in flight it must not hold the process up for 2 s.
      await phases.time('approvals', Promise.race([approvals.idle(), sleep(2000, undefined, { ref: false })]));
      // In parallel: the inbox (stops renewing holds: other replicas take the threads of answers cut
      // off), the locks, the MCP servers' exits and the store; none of them needs another any more.
      await Promise.all([phases.time('inbox', inbox.close()), phases.time('coordination', coordinator.close()), phases.time('store and MCP servers', engine.close())]);
      // Last, so the spans of the answers stopped above are sent.
      await phases.time('monitoring', closeScrapes());
      logger.info('stopped');
    },
  };
}

/** When the start was stopped: closes what has started (in the order given) and throws the signal's reason. */
async function closeIfStopped(signal: AbortSignal | undefined, ...closers: Array<() => Promise<void>>): Promise<void> {
  if (!signal?.aborted) return;
  for (const close of closers) await close();
  signal.throwIfAborted();
}

/** The turns on this process and the questions waiting (redis://: in the shared inbox, for every replica). */
async function turnsState(inbox: Inbox, workers: Workers): Promise<{ running: number; max: number; queued: number | null }> {
  const running = workers.running;
  const size = await inbox.size().catch(() => undefined);
  return { running, max: workers.max, queued: size === undefined ? null : Math.max(0, size - running) };
}

/** 'open' if the store answers a read within a second, else 'unreachable'. */
async function storeState(store: Store): Promise<'open' | 'unreachable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 1000)));
  try {
    await Promise.race([store.get('health:probe'), timeout]);
    return 'open';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
