// The agent room's public face: the turn loop, conversations in the store, transcript invariants.
export { createAgent, DEFAULT_HISTORY_BUDGET_TOKENS, DEFAULT_MAX_ROUNDS, type Agent, type AgentOptions, type TurnInput, type TurnOptions, type TurnResult, type TurnStopReason } from './loop.js';
export { createConversations, DEFAULT_CONVERSATION_TTL_MS, type ConversationTurnResult, type Conversations, type ConversationsOptions } from './conversation.js';
export { appendUserMessage, isValid, trimToBudget, turnStarts, validate, validPrefix } from './transcript.js';
export { estimateMessageTokens, estimateTranscriptTokens } from './tokens.js';
export { describeModelError, isAbort, modelErrorStatus, StreamStalledError } from './model-errors.js';
export type { AgentEvent, AgentSink, Message, Transcript, Usage } from './types.js';
