// One trace per question: the span a worker's answer runs in, so that its model calls, tool calls,
// Slack calls and store operations are spans under it. Named and described as the GenAI conventions'
// agent invocation (open-telemetry/semantic-conventions-genai, docs/gen-ai/gen-ai-agent-spans.md:
// "invoke_agent {gen_ai.agent.name}", gen_ai.operation.name "invoke_agent").
import { ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_CONVERSATION_ID, ATTR_GEN_AI_OPERATION_NAME } from '@opentelemetry/semantic-conventions/incubating';
import type { TakenQuestion } from '../intake/types.js';
import type { Telemetry } from './telemetry.js';

export const AGENT_NAME = 'slack-mcp-claude-bot';
/** Which take of the question this is (more than 1 after a worker died mid-answer); the bot's own attribute. */
export const ATTR_ATTEMPT = 'slackbot.question.attempt';

export function questionSpan<T>(telemetry: Telemetry, taken: TakenQuestion, answer: () => Promise<T>): Promise<T> {
  return telemetry.span(
    `invoke_agent ${AGENT_NAME}`,
    {
      root: true,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent',
        [ATTR_GEN_AI_AGENT_NAME]: AGENT_NAME,
        // The thread's key (team, channel, thread ts): ids, never text; traces, unlike metrics, may carry them.
        [ATTR_GEN_AI_CONVERSATION_ID]: taken.entry.thread,
        [ATTR_ATTEMPT]: taken.attempt,
      },
    },
    () => answer(),
  );
}
