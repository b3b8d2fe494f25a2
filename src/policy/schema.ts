// The policy file's shape in zod, with a message on every key that says what is wrong and how to fix
// it (policy-file.ts puts the file name and the key in front). Objects are strict: a misspelt key
// ("aprovers") is an error, not a rule that silently does nothing.
import { z } from 'zod';
import { DEFAULT_TOOL_CALLS_PER_ROUND, DEFAULT_TOOL_RESULT_BYTES_PER_TURN } from '../agent/loop.js';
import { DEFAULT_APPROVAL, DEFAULT_LIMITS, DIRECT_MESSAGES } from './types.js';

type Shape = Record<string, z.ZodType>;

/** A strict object whose errors name its keys (unknown key) or show an example (not an object). */
function strictObject<S extends Shape>(shape: S, example: string) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `is not a key the policy knows; the keys here are ${known}`;
      if (issue.code === 'invalid_type') return `must be an object, e.g. ${example}`;
      return undefined;
    },
  });
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

const userId = z.string({ error: 'must be a Slack user id in quotes, e.g. "U0123ABCD"' }).superRefine((value, ctx) => {
  if (!USER_ID.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a Slack user id (like U0123ABCD); in Slack open the person's profile, then ⋮ -> Copy member ID`,
    });
  }
});

const channelId = z.string({ error: `must be a Slack channel id in quotes, e.g. "C0123ABCD", or "${DIRECT_MESSAGES}"` }).superRefine((value, ctx) => {
  if (value === DIRECT_MESSAGES || CHANNEL_ID.test(value)) return;
  const hint = value.startsWith('#') ? 'use the channel id, not its name' : 'use a channel id (like C0123ABCD)';
  ctx.addIssue({
    code: 'custom',
    message: `"${value}" is not a channel id; ${hint}: it is at the bottom of the channel's details. "${DIRECT_MESSAGES}" stands for direct messages`,
  });
});

const glob = z
  .string({ error: 'must be a tool name or pattern in quotes, e.g. "create_*"' })
  .min(1, { error: 'is empty; give a tool name or pattern, e.g. "create_*"' });

const list = <T extends z.ZodType>(item: T, example: string) => z.array(item, { error: `must be a list, e.g. ${example}` });

/** An allow list must name someone or something: an empty one would shut everything out, which is surely a slip. */
const allowList = <T extends z.ZodType>(item: T, example: string, none: string) =>
  list(item, example).min(1, { error: `is empty, which would allow nothing; ${none}` });

const flag = (fallback: boolean) => z.boolean({ error: `must be true or false (default ${String(fallback)})` }).default(fallback);

const wholeNumber = (min: number, max: number, fallback: number | string, unit: string) =>
  z
    .number({ error: `must be a number of ${unit} from ${min} to ${max} (default ${fallback})` })
    .int({ error: `must be a whole number of ${unit} from ${min} to ${max} (default ${fallback})` })
    .min(min, { error: `must be at least ${min} ${unit} (default ${fallback})` })
    .max(max, { error: `must be at most ${max} ${unit} (default ${fallback})` });

const USERS_EXAMPLE = '["U0123ABCD"]';
const CHANNELS_EXAMPLE = '["C0123ABCD", "dm"]';
const TOOLS_EXAMPLE = '["search_*", "get_issue"]';

const people = strictObject(
  {
    allow: allowList(userId, USERS_EXAMPLE, 'list user ids, or remove "allow" to let everyone in').optional(),
    deny: list(userId, USERS_EXAMPLE).default([]),
  },
  `{"allow": ${USERS_EXAMPLE}}`,
);

const places = strictObject(
  {
    allow: allowList(channelId, CHANNELS_EXAMPLE, 'list channel ids, or remove "allow" to answer everywhere').optional(),
    deny: list(channelId, CHANNELS_EXAMPLE).default([]),
  },
  `{"allow": ${CHANNELS_EXAMPLE}}`,
);

const server = strictObject(
  {
    channels: allowList(channelId, CHANNELS_EXAMPLE, 'list channel ids, or use "denyTools": ["*"] to turn the server off').optional(),
    allowTools: allowList(glob, TOOLS_EXAMPLE, 'list tools, or use "denyTools": ["*"] to turn the server off').optional(),
    denyTools: list(glob, TOOLS_EXAMPLE).default([]),
    requireApproval: list(glob, TOOLS_EXAMPLE).default([]),
    skipApproval: list(glob, TOOLS_EXAMPLE).default([]),
  },
  `{"denyTools": ["delete_*"]}`,
);

export const policySchema = strictObject(
  {
    users: people.default({ deny: [] }),
    channels: places.default({ deny: [] }),
    approvers: allowList(userId, USERS_EXAMPLE, 'list user ids, or remove "approvers" to let only the person who asked decide').optional(),
    approval: strictObject(
      {
        destructive: flag(DEFAULT_APPROVAL.destructive),
        notReadOnly: flag(DEFAULT_APPROVAL.notReadOnly),
        timeoutSeconds: wholeNumber(10, 86_400, DEFAULT_APPROVAL.timeoutSeconds, 'seconds').default(DEFAULT_APPROVAL.timeoutSeconds),
      },
      '{"destructive": true, "timeoutSeconds": 600}',
    ).default(DEFAULT_APPROVAL),
    servers: z.record(z.string(), server, { error: 'must be an object of server names, e.g. {"github": {"denyTools": ["delete_*"]}}' }).default({}),
    limits: strictObject(
      {
        messageChars: wholeNumber(100, 40_000, DEFAULT_LIMITS.messageChars, 'characters').default(DEFAULT_LIMITS.messageChars),
        toolRounds: wholeNumber(1, 100, 10, 'rounds').optional(),
        toolResultChars: wholeNumber(1000, 1_000_000, DEFAULT_LIMITS.toolResultChars, 'characters').default(DEFAULT_LIMITS.toolResultChars),
        turnSeconds: wholeNumber(10, 86_400, DEFAULT_LIMITS.turnSeconds, 'seconds').default(DEFAULT_LIMITS.turnSeconds),
        toolCallsPerRound: wholeNumber(1, 100, DEFAULT_TOOL_CALLS_PER_ROUND, 'calls').optional(),
        toolResultBytesPerTurn: wholeNumber(10_000, 100_000_000, DEFAULT_TOOL_RESULT_BYTES_PER_TURN, 'bytes').optional(),
        questionsPerMinute: wholeNumber(1, 10_000, 'no limit', 'questions').optional(),
        turnsInFlight: wholeNumber(1, 1000, 'no limit', 'answers').optional(),
        // 32 MB: the Messages API's request size (platform.claude.com/docs/en/build-with-claude/pdf-support).
        fileBytes: wholeNumber(1, 32 * 1024 * 1024, 'the bot\'s QUESTION_FILES_MAX_BYTES', 'bytes').optional(),
        dailySpendUsd: z
          .number({ error: 'must be a number of US dollars, e.g. 5 or 2.50 (default no limit)' })
          .min(0.01, { error: 'must be at least 0.01 US dollars (default no limit)' })
          .max(1_000_000, { error: 'must be at most 1000000 US dollars (default no limit)' })
          .optional(),
      },
      '{"messageChars": 8000, "turnSeconds": 900}',
    ).default(DEFAULT_LIMITS),
  },
  '{"users": {"allow": ["U0123ABCD"]}}',
);

export type PolicyFileData = z.infer<typeof policySchema>;
