// One turn of a conversation: history + the new question -> streamed Claude calls -> every tool_use
// of a response run at once -> all tool_results back in one user message -> again, until a response
// asks for no tool or the round cap is reached. Events go to the sink as they happen; the returned
// transcript is always one the Messages API accepts (on failure: the valid part of it).
import type Anthropic from '@anthropic-ai/sdk';
import { silentLogger, type Logger } from '../log.js';
import type { ToolProvider } from '../mcp/types.js';
import { observeModelCall } from '../observe/genai.js';
import { noTelemetry, type Telemetry } from '../observe/telemetry.js';
import { textOf, toAssistantContent, trimTrailingWhitespace, withoutToolUses } from './assistant.js';
import { streamModelCall } from './model-call.js';
import { describeModelError, errorFields, isAbort, TurnAbortedError } from './model-errors.js';
import { EMPTY_QUESTION, notices, notRunText, tooManyCallsText } from './notices.js';
import { resultBudget, type ResultBudget } from './result-budget.js';
import { buildRequest } from './request.js';
import { safeSink, type SafeSink } from './sink.js';
import { estimateMessageTokens, estimateTranscriptTokens, type TokenEstimate } from './tokens.js';
import { runToolUses, type ToolUse } from './tool-runner.js';
import { appendUserMessage, blocksOf, elideAnsweredToolResults, trimToBudget, validPrefix } from './transcript.js';
import { compactToSize, wasCompacted } from './transcript-compact.js';
import type { AgentSink, Transcript, Usage } from './types.js';
import { addUsage, zeroUsage } from './usage.js';

export const DEFAULT_MAX_ROUNDS = 10;
export const DEFAULT_HISTORY_BUDGET_TOKENS = 100_000;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 180_000;
export const DEFAULT_ELIDE_RESULTS_OVER = 4000;
/**
 * A thread's stored transcript is compacted past this size (transcript-compact.ts). Measured: the
 * bench's request-size thread (a 5,000-character tool result and a 2,000-character answer a turn)
 * stored 13 KB a turn, 2.5 MB at turn 200; 1 MB keeps about 75 such turns whole, more than the
 * 100,000-token history budget (about 400 KB) can ever send.
 */
export const DEFAULT_THREAD_MAX_STORED_BYTES = 1_000_000;
/** Tool-result bytes one turn may take in all: about the whole history budget (100,000 tokens at 4 characters each). */
export const DEFAULT_TOOL_RESULT_BYTES_PER_TURN = 400_000;
/** Tool calls of one response that run; the rest are told to wait for the next round. */
export const DEFAULT_TOOL_CALLS_PER_ROUND = 8;
/** Old turns are dropped five at a time, so the prompt cache keeps matching between drops. */
const TRIM_STEP_TURNS = 5;

export interface AgentOptions {
  client: Anthropic;
  tools: ToolProvider;
  model: string;
  maxTokens: number;
  system?: string;
  /** Rounds of tool calls in one turn; after that one last call answers without tools. */
  maxRounds?: number;
  /** What is sent of the transcript is trimmed (oldest whole turns first) to about this many tokens. */
  historyBudgetTokens?: number;
  logger?: Logger;
  /** Cache breakpoints on the system prompt and the conversation (default on). */
  promptCaching?: boolean;
  /** Tool results of answered turns larger than this are sent as a short note (default 4,000 characters). */
  elideAnsweredResultsOver?: number;
  /** Longest silence of an open response stream before the call is given up. */
  streamIdleTimeoutMs?: number;
  estimate?: TokenEstimate;
  /** Past this many bytes, the stored transcript is compacted (default DEFAULT_THREAD_MAX_STORED_BYTES). */
  maxStoredBytes?: number;
  /** Defaults of the per-turn limits below. */
  toolCallsPerRound?: number;
  toolResultBytesPerTurn?: number;
  /** Each Claude call's span and metrics (src/observe/); default none. */
  telemetry?: Telemetry;
}

/** What one turn may do differently from the agent's defaults (the access policy of its conversation). */
export interface TurnOptions {
  /** The tools of this turn (the hub wrapped in the policy) instead of the agent's own. */
  tools?: ToolProvider;
  /** This turn's round cap instead of the agent's maxRounds. */
  maxRounds?: number;
  /** Tool calls of one response that run (the rest get a "not run" result). */
  toolCallsPerRound?: number;
  /** Tool-result bytes this turn may take in all (result-budget.ts). */
  toolResultBytesPerTurn?: number;
}

export interface TurnInput extends TurnOptions {
  history: Transcript;
  /** The question: text, or content blocks (attached images, documents and files with the text). */
  userText: string | Block[];
  sink: AgentSink;
  /**
   * Stops the turn. When its reason carries a `userMessage` (see TurnStopReason), that sentence is
   * the `failed` event's message; otherwise people read that the answer was cancelled.
   */
  signal?: AbortSignal;
}

/** An abort reason that says in one sentence, for people, why the turn was stopped (e.g. a time limit). */
export interface TurnStopReason {
  userMessage: string;
}

export interface TurnResult {
  /** The whole new transcript, to be stored. Valid for the API even when the turn failed. */
  messages: Transcript;
  status: 'done' | 'failed';
  /** The answer text of the last round (empty when failed). */
  text: string;
  /** The last stop_reason, or "error" when the turn failed. */
  stopReason: string;
  notice?: string;
  usage: Usage;
  /** Claude calls made in this turn. */
  rounds: number;
  error?: unknown;
}

export interface Agent {
  runTurn(input: TurnInput): Promise<TurnResult>;
}

type Block = Anthropic.ContentBlockParam;

export function createAgent(options: AgentOptions): Agent {
  const defaultMaxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const budget = options.historyBudgetTokens ?? DEFAULT_HISTORY_BUDGET_TOKENS;
  const elideOver = options.elideAnsweredResultsOver ?? DEFAULT_ELIDE_RESULTS_OVER;
  const estimate = options.estimate ?? estimateMessageTokens;
  const idleTimeoutMs = options.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
  const promptCaching = options.promptCaching ?? true;
  const log = options.logger ?? silentLogger;
  const maxStoredBytes = options.maxStoredBytes ?? DEFAULT_THREAD_MAX_STORED_BYTES;
  const telemetry = options.telemetry ?? noTelemetry;

  /** What is stored, compacted to the cap; `told`: a sentence for the person the first time a thread is compacted. */
  function forStoring(kept: Transcript, history: Transcript): { messages: Transcript; told?: string } {
    const compaction = compactToSize(kept, maxStoredBytes);
    if (compaction.results === 0 && compaction.turns === 0) return { messages: kept };
    log.info('thread compacted', { results: compaction.results, turns: compaction.turns, before: compaction.before, after: compaction.after, max: maxStoredBytes });
    return wasCompacted(history) ? { messages: compaction.messages } : { messages: compaction.messages, told: notices.compacted };
  }

  async function runTurn(input: TurnInput): Promise<TurnResult> {
    const sink = safeSink(input.sink, log);
    const { signal } = input;
    const tools = input.tools ?? options.tools;
    const maxRounds = input.maxRounds ?? defaultMaxRounds;
    const perRound = input.toolCallsPerRound ?? options.toolCallsPerRound ?? DEFAULT_TOOL_CALLS_PER_ROUND;
    const budget = resultBudget(input.toolResultBytesPerTurn ?? options.toolResultBytesPerTurn ?? DEFAULT_TOOL_RESULT_BYTES_PER_TURN);
    const history = validPrefix(input.history);
    if (history.length !== input.history.length) {
      log.warn('history had an invalid tail; it was cut', { kept: history.length, given: input.history.length });
    }
    let messages = appendUserMessage(history, isBlank(input.userText) ? EMPTY_QUESTION : input.userText);
    const usage = zeroUsage();
    let rounds = 0;

    const finish = async (text: string, stopReason: string, why?: string, unstored: Transcript = messages): Promise<TurnResult> => {
      const { messages: kept, told } = forStoring(unstored, history);
      const notice = why === undefined ? told : told === undefined ? why : `${why} ${told}`;
      log.info('turn done', { rounds, stopReason, notice: notice !== undefined, messages: kept.length, ...usage });
      sink.emit(notice === undefined ? { type: 'done', text, stopReason, usage, rounds } : { type: 'done', text, stopReason, notice, usage, rounds });
      await sink.flush();
      return { messages: kept, status: 'done', text, stopReason, usage, rounds, ...(notice === undefined ? {} : { notice }) };
    };

    try {
      for (;;) {
        if (signal?.aborted) throw new TurnAbortedError();
        const noMoreTools = rounds >= maxRounds;
        rounds++;
        const response = await callModel(tools, messages, noMoreTools, rounds, sink, signal);
        addUsage(usage, response.usage);
        const stopReason = response.stop_reason ?? 'end_turn';
        const content = toAssistantContent(response.content);

        if (stopReason === 'refusal') {
          // Anthropic's guidance: drop the refused turn, or the next turns keep being refused.
          return await finish(textOf(content), stopReason, notices.refusal(response.stop_details), history);
        }
        if (stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded') {
          // The last tool_use may hold half its input; the cut answer is kept without tool calls.
          messages = appendAssistant(messages, withoutToolUses(content));
          return await finish(lastAnswer(messages), stopReason, stopReason === 'max_tokens' ? notices.cut : notices.contextFull);
        }

        const uses: ToolUse[] = response.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
        if (uses.length > 0) {
          messages = appendAssistant(messages, content);
          const results = noMoreTools ? uses.map((use) => notRun(use.id, notRunText(maxRounds))) : await runTools(tools, uses, perRound, budget, sink, signal);
          messages = [...messages, { role: 'user', content: results }];
          if (noMoreTools) return await finish(textOf(content), stopReason, notices.roundCap(maxRounds));
          continue;
        }

        messages = appendAssistant(messages, content);
        if (stopReason === 'pause_turn') {
          // A long turn the API paused: sending it back as the last message lets Claude go on.
          if (noMoreTools) return await finish(lastAnswer(messages), stopReason, notices.paused);
          continue;
        }
        return await finish(lastAnswer(messages), stopReason, noMoreTools ? notices.roundCap(maxRounds) : undefined);
      }
    } catch (error) {
      const { messages: kept, told } = forStoring(validPrefix(messages), history);
      const stopped = isAbort(error) ? stopSentence(signal) : undefined;
      const message = [stopped ?? describeModelError(error), told].filter((part) => part !== undefined).join(' ');
      if (isAbort(error)) log.info('turn cancelled', { rounds, ...(stopped === undefined ? {} : { reason: stopped }) });
      else log.error('turn failed', { rounds, ...errorFields(error) });
      sink.emit({ type: 'failed', message, error });
      await sink.flush();
      return { messages: kept, status: 'failed', text: '', stopReason: 'error', usage, rounds, error };
    }
  }

  async function callModel(tools: ToolProvider, messages: Transcript, noMoreTools: boolean, round: number, sink: SafeSink, signal?: AbortSignal) {
    const sent = forSending(trimToBudget(elideAnsweredToolResults(messages, elideOver), budget, estimate, TRIM_STEP_TURNS));
    log.debug('calling Claude', {
      round,
      noMoreTools,
      messages: sent.length,
      trimmed: messages.length - sent.length,
      estimatedTokens: estimateTranscriptTokens(sent, estimate),
    });
    const params = buildRequest(
      { model: options.model, maxTokens: options.maxTokens, system: options.system, tools: tools.listTools(), messages: sent, noMoreTools, promptCaching },
      log,
    );
    return observeModelCall(telemetry, params, isAbort, () =>
      streamModelCall(options.client, params, {
        onText: (delta) => sink.emit({ type: 'text', delta }),
        signal,
        idleTimeoutMs,
      }),
    );
  }

  /** Runs the first `perRound` calls at once; the others are answered "not run" (in tool_use order, as the API wants). */
  async function runTools(tools: ToolProvider, uses: ToolUse[], perRound: number, budget: ResultBudget, sink: SafeSink, signal?: AbortSignal) {
    const run = await runToolUses(uses.slice(0, perRound), { provider: tools, catalog: tools.listTools(), sink, logger: log, signal, budget });
    if (uses.length > perRound) log.info('tool calls over the per-round limit not run', { asked: uses.length, run: perRound });
    return [...run, ...uses.slice(perRound).map((use) => notRun(use.id, tooManyCallsText(perRound)))];
  }

  function notRun(id: string, text: string): Anthropic.ToolResultBlockParam {
    return { type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text }], is_error: true };
  }

  return { runTurn };
}

function isBlank(content: string | Block[]): boolean {
  return typeof content === 'string' ? content.trim() === '' : content.every((block) => block.type === 'text' && block.text.trim() === '');
}

/** The sentence of a stop reason that has one (TurnStopReason), read without trusting its type. */
function stopSentence(signal: AbortSignal | undefined): string | undefined {
  const reason: unknown = signal?.reason;
  if (typeof reason !== 'object' || reason === null || !('userMessage' in reason)) return undefined;
  return typeof reason.userMessage === 'string' && reason.userMessage.trim() !== '' ? reason.userMessage : undefined;
}

/** Adds assistant content; after a pause_turn it continues the same assistant message. Empty content adds nothing. */
function appendAssistant(messages: Transcript, content: Block[]): Transcript {
  if (content.length === 0) return messages;
  const last = messages.at(-1);
  if (last?.role === 'assistant') return [...messages.slice(0, -1), { role: 'assistant', content: [...blocksOf(last), ...content] }];
  return [...messages, { role: 'assistant', content }];
}

/** A transcript that ends with a paused assistant message is sent with that message's trailing whitespace trimmed. */
function forSending(messages: Transcript): Transcript {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return messages;
  const content = trimTrailingWhitespace(blocksOf(last));
  return content.length === 0 ? messages.slice(0, -1) : [...messages.slice(0, -1), { role: 'assistant', content }];
}

function lastAnswer(messages: Transcript): string {
  const last = messages.at(-1);
  return last?.role === 'assistant' ? textOf(blocksOf(last)) : '';
}
