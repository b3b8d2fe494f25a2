// Conversations in the store: one key per conversation (a Slack thread, a terminal session), holding
// its whole transcript and its token use so far, with a TTL that restarts at every turn: a turn reads
// the conversation once and writes it once (one store round trip each way). What is saved is always a transcript
// the API accepts: the agent returns only valid ones, and a stored value is cut to its valid prefix
// again when it is read (it may come from an older version, or from a hand edit). The whole
// transcript is kept; what is sent to Claude is trimmed to the token budget by the agent, per call.
import type Keyv from 'keyv';
import { silentLogger, type Logger } from '../log.js';
import type { Agent, TurnInput, TurnOptions, TurnResult } from './loop.js';
import { withoutRefusedFiles } from './refused-files.js';
import { validPrefix } from './transcript.js';
import type { AgentSink, Transcript, Usage } from './types.js';
import { storeSpan } from '../observe/store-span.js';
import { noTelemetry, type Telemetry } from '../observe/telemetry.js';
import { sumUsage, zeroUsage } from './usage.js';

export const DEFAULT_CONVERSATION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const KEY_PREFIX = 'conversation:';
/**
 * Where versions before the usage moved into the conversation's entry kept a thread's token use
 * (the Slack side's usage ledger). Read once for an entry that has no `usage` yet, deleted by forget.
 */
const LEGACY_USAGE_PREFIX = 'usage:';
const FORMAT = 1;

/** What one store entry holds; `format` lets a later version read (or drop) older entries. */
interface StoredConversation {
  format: number;
  messages: unknown[];
  /** Token use of all turns so far; absent in entries an older version wrote. */
  usage?: Usage;
  updatedAt: string;
}

/** A conversation as a turn starts it. */
interface Loaded {
  messages: Transcript;
  usage: Usage;
}

export interface ConversationsOptions {
  store: Keyv;
  agent: Agent;
  ttlMs?: number;
  logger?: Logger;
  /** The store reads and writes as spans of the question's trace (src/observe/); default none. */
  telemetry?: Pick<Telemetry, 'span'>;
}

export interface ConversationTurnResult extends TurnResult {
  /** False when the store could not save the transcript (the answer was still given). */
  saved: boolean;
  /** Token use of the conversation so far, this turn included (undefined when it could not be loaded). */
  totalUsage?: Usage;
}

export interface Conversations {
  /** The stored transcript (its valid prefix), or [] for a conversation not seen before. */
  history(key: string): Promise<Transcript>;
  /**
   * Loads, runs one turn into the sink, saves. Never throws for a model or store failure: the sink
   * hears of it. `turn` overrides the agent's tools and round cap for this turn only.
   */
  runTurn(key: string, userText: TurnInput['userText'], sink: AgentSink, signal?: AbortSignal, turn?: TurnOptions): Promise<ConversationTurnResult>;
  forget(key: string): Promise<void>;
}

export function createConversations(options: ConversationsOptions): Conversations {
  const { store, agent } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_CONVERSATION_TTL_MS;
  const log = options.logger ?? silentLogger;
  const telemetry = options.telemetry ?? noTelemetry;
  const storeKey = (key: string) => KEY_PREFIX + key;

  async function load(key: string): Promise<Loaded> {
    const stored: unknown = await storeSpan(telemetry, 'get', 'conversation', () => store.get(storeKey(key)));
    if (stored === undefined || stored === null) return { messages: [], usage: zeroUsage() };
    if (!isStoredConversation(stored)) {
      log.warn('stored conversation has an unknown shape; starting afresh', { key });
      return { messages: [], usage: zeroUsage() };
    }
    const messages = validPrefix(stored.messages);
    if (messages.length !== stored.messages.length) {
      log.warn('stored conversation had an invalid tail; it was cut', { key, kept: messages.length, stored: stored.messages.length });
    }
    const usage = isUsage(stored.usage) ? stored.usage : await legacyUsage(key);
    return { messages, usage };
  }

  /** A thread's usage where an older version kept it (once per thread: the next save moves it). */
  async function legacyUsage(key: string): Promise<Usage> {
    const old: unknown = await store.get(LEGACY_USAGE_PREFIX + key);
    return isUsage(old) ? old : zeroUsage();
  }

  async function runTurn(key: string, userText: TurnInput['userText'], sink: AgentSink, signal?: AbortSignal, turn: TurnOptions = {}): Promise<ConversationTurnResult> {
    let past: Loaded;
    try {
      past = await load(key);
    } catch (error) {
      log.error('could not load a conversation', { key, error: error instanceof Error ? error.message : String(error) });
      const message = 'I could not load this conversation\'s history; please try again in a minute.';
      try {
        await sink.emit({ type: 'failed', message, error });
      } catch (sinkError) {
        log.warn('sink failed to take an event', { event: 'failed', error: String(sinkError) });
      }
      return { messages: [], status: 'failed', text: '', stopReason: 'error', usage: zeroUsage(), rounds: 0, error, saved: false };
    }

    const result = await agent.runTurn({ history: past.messages, userText, sink, ...(signal ? { signal } : {}), ...onlySet(turn) });
    const totalUsage = sumUsage(past.usage, result.usage);
    // A file the API refused would fail every later question of the thread: it is not kept.
    const cleaned = result.status === 'failed' ? withoutRefusedFiles(result.messages, result.error) : undefined;
    if (cleaned) log.warn('the model API refused a file attached to the question: it was taken out of the history', { key });
    const record: StoredConversation = { format: FORMAT, messages: cleaned ?? result.messages, usage: totalUsage, updatedAt: new Date().toISOString() };
    try {
      await storeSpan(telemetry, 'set', 'conversation', () => store.set(storeKey(key), record, ttlMs));
      return { ...result, saved: true, totalUsage };
    } catch (error) {
      log.error('could not save a conversation', { key, error: error instanceof Error ? error.message : String(error) });
      return { ...result, saved: false, totalUsage };
    }
  }

  async function forget(key: string): Promise<void> {
    await store.deleteMany([storeKey(key), LEGACY_USAGE_PREFIX + key]);
  }

  return { history: async (key) => (await load(key)).messages, runTurn, forget };
}

/** Only the options that are set, so an agent sees exactly what the caller chose. */
function onlySet(turn: TurnOptions): TurnOptions {
  return {
    ...(turn.tools === undefined ? {} : { tools: turn.tools }),
    ...(turn.maxRounds === undefined ? {} : { maxRounds: turn.maxRounds }),
    ...(turn.toolCallsPerRound === undefined ? {} : { toolCallsPerRound: turn.toolCallsPerRound }),
    ...(turn.toolResultBytesPerTurn === undefined ? {} : { toolResultBytesPerTurn: turn.toolResultBytesPerTurn }),
  };
}

function isStoredConversation(value: unknown): value is StoredConversation {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StoredConversation>;
  return record.format === FORMAT && Array.isArray(record.messages);
}

function isUsage(value: unknown): value is Usage {
  if (typeof value !== 'object' || value === null) return false;
  const usage = value as Record<string, unknown>;
  return ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'].every((field) => typeof usage[field] === 'number');
}
