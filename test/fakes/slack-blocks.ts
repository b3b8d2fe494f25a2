// Block Kit as strict as Slack: every block and element the bot sends is checked against Slack's
// published rules (required fields, text lengths, element and option counts, action_id / block_id
// length and uniqueness), and an unknown type or field is refused. Slack answers such a payload with
// `invalid_blocks` (views: `invalid_arguments`) and one line per problem in
// `response_metadata.messages`, e.g. "[ERROR] must be less than 3001 characters
// [json-pointer:/blocks/0/text/text]"; validateBlocks/validateView return those lines. The
// pointers and the usual wordings ("must be less than", "must be more than 0 characters",
// "missing required field", "unsupported type", "must provide no more than N items") follow
// Slack's; the rarer ones are ours.
//
// Sources, read on docs.slack.dev (and mirrored in the JSDoc of node_modules/@slack/types/dist, which
// names the same limits):
//   blocks:      https://docs.slack.dev/reference/block-kit/blocks (50 blocks a message, 100 in modals
//                and Home tabs) and each block's page under .../blocks/<name>-block
//   elements:    https://docs.slack.dev/reference/block-kit/block-elements/<name>-element
//   composition: https://docs.slack.dev/reference/block-kit/composition-objects/{text,option,
//                option-group,confirmation-dialog}-object
//   views:       https://docs.slack.dev/reference/views (title/submit/close 24, 100 blocks,
//                private_metadata 3000, callback_id 255)
// Where a page gives no limit we are strict and say so beside the rule.

export type Json = Record<string, unknown>;

/** Where blocks are shown: some blocks exist only in messages. */
export type Surface = 'message' | 'modal' | 'home';

/** Totals that depend on the surface; the fake may lower them for a test. */
export interface BlockListLimits {
  /** Blocks in one list: 50 in a message, 100 in a modal or Home tab (blocks reference page). */
  blocks: number;
  /** All `markdown` blocks of one payload together (markdown block page: "cumulative limit ... 12,000"). */
  markdownChars: number;
}

export const MESSAGE_LIST_LIMITS: BlockListLimits = { blocks: 50, markdownChars: 12_000 };
export const VIEW_LIST_LIMITS: BlockListLimits = { blocks: 100, markdownChars: 12_000 };

// ---- the checking machinery ---------------------------------------------------------------------

interface Context {
  problems: string[];
  /** action_ids seen in the current block ("should be unique among all other action_ids in the containing block"). */
  actionIds: Set<string>;
  markdownChars: number;
}

type Check = (value: unknown, at: string, ctx: Context) => void;

interface Field {
  check: Check;
  required: boolean;
}

const req = (check: Check): Field => ({ check, required: true });
const opt = (check: Check): Field => ({ check, required: false });

function problem(ctx: Context, at: string, message: string): void {
  ctx.problems.push(`[ERROR] ${message} [json-pointer:${at}]`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object with exactly these fields (Slack refuses fields it does not know). */
function object(fields: Record<string, Field>, extra?: (value: Json, at: string, ctx: Context) => void): Check {
  return (value, at, ctx) => {
    if (!isObject(value)) return problem(ctx, at, 'must be an object');
    for (const [name, field] of Object.entries(fields)) {
      if (value[name] === undefined) {
        if (field.required) problem(ctx, at, `missing required field: ${name}`);
      } else {
        field.check(value[name], `${at}/${name}`, ctx);
      }
    }
    for (const name of Object.keys(value)) {
      if (!(name in fields)) problem(ctx, `${at}/${name}`, 'is not a known field');
    }
    extra?.(value, at, ctx);
  };
}

function str(max: number, min = 1): Check {
  return (value, at, ctx) => {
    if (typeof value !== 'string') return problem(ctx, at, 'must be a string');
    if (value.length < min) problem(ctx, at, `must be more than ${min - 1} characters`);
    if (value.length > max) problem(ctx, at, `must be less than ${max + 1} characters`);
  };
}

const bool: Check = (value, at, ctx) => {
  if (typeof value !== 'boolean') problem(ctx, at, 'must be a boolean');
};

function int(min: number, max: number): Check {
  return (value, at, ctx) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return problem(ctx, at, 'must be an integer');
    if (value < min || value > max) problem(ctx, at, `must be from ${min} to ${max}`);
  };
}

function oneOf(...values: unknown[]): Check {
  return (value, at, ctx) => {
    if (!values.includes(value)) problem(ctx, at, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  };
}

function list(item: Check, max: number, min = 1): Check {
  return (value, at, ctx) => {
    if (!Array.isArray(value)) return problem(ctx, at, 'must be an array');
    if (value.length < min) problem(ctx, at, `must provide at least ${min} items`);
    if (value.length > max) problem(ctx, at, `must provide no more than ${max} items`);
    value.forEach((entry, i) => item(entry, `${at}/${i}`, ctx));
  };
}

/** A string in a given shape (dates, numbers). */
function pattern(regex: RegExp, what: string): Check {
  return (value, at, ctx) => {
    if (typeof value !== 'string' || !regex.test(value)) problem(ctx, at, `must be ${what}`);
  };
}

// ---- composition objects (composition-objects/*) --------------------------------------------------

/** Text object: "minimum length is 1 and maximum length is 3000"; a field may allow less. */
function plainText(max = 3000): Check {
  return object({ type: req(oneOf('plain_text')), text: req(str(max)), emoji: opt(bool) });
}
function mrkdwn(max = 3000): Check {
  return object({ type: req(oneOf('mrkdwn')), text: req(str(max)), verbatim: opt(bool) });
}
function anyText(max = 3000): Check {
  return (value, at, ctx) => (isObject(value) && value.type === 'mrkdwn' ? mrkdwn(max) : plainText(max))(value, at, ctx);
}

/** Option object: text 75, value 150, description 75, url 3000 (url only in overflow menus). */
function option(text: Check, withUrl = false): Check {
  return object({
    text: req(text),
    value: req(str(150)),
    description: opt(anyText(75)),
    ...(withUrl ? { url: opt(str(3000)) } : {}),
  });
}
const plainOption = option(plainText(75));
/** Checkboxes and radio buttons may use mrkdwn options. */
const anyOption = option(anyText(75));

/** Option group object: label 75, up to 100 options. */
const optionGroup = object({ label: req(plainText(75)), options: req(list(plainOption, 100)) });

/** Confirmation dialog: title 100, text 300, confirm 30, deny 30. */
const confirm = object({
  title: req(plainText(100)),
  text: req(anyText(300)),
  confirm: req(plainText(30)),
  deny: req(plainText(30)),
  style: opt(oneOf('primary', 'danger')),
});

const dispatchActionConfig = object({
  trigger_actions_on: opt(list(oneOf('on_enter_pressed', 'on_character_entered'), 2)),
});

// ---- elements (block-elements/*) ----------------------------------------------------------------

/** action_id: 255 characters, unique within its block. */
const actionId: Check = (value, at, ctx) => {
  str(255)(value, at, ctx);
  if (typeof value !== 'string') return;
  if (ctx.actionIds.has(value)) problem(ctx, at, `duplicate action_id "${value}" in the same block`);
  ctx.actionIds.add(value);
};

/** The fields every interactive element may have. */
const interactive = { action_id: opt(actionId) };
const focusable = { focus_on_load: opt(bool) };
/** Placeholders are plain text of at most 150 characters. */
const placeholder = { placeholder: opt(plainText(150)) };

/** initial_option(s) must be among the options ("exactly matches one or more of the options"). */
function initialAmongOptions(value: Json, at: string, ctx: Context): void {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
  const options = [...list(value.options), ...list(value.option_groups).flatMap((g) => (isObject(g) ? list(g.options) : []))].map((o) => JSON.stringify(o));
  const initial = value.initial_option !== undefined ? [value.initial_option] : Array.isArray(value.initial_options) ? value.initial_options : [];
  const name = value.initial_option !== undefined ? 'initial_option' : 'initial_options';
  initial.forEach((o, i) => {
    if (!options.includes(JSON.stringify(o))) problem(ctx, `${at}/${name}${name === 'initial_options' ? `/${i}` : ''}`, 'must match one of the options');
  });
}

/** static_select: options or option_groups (not both), up to 100. */
function staticOptions(value: Json, at: string, ctx: Context): void {
  if ((value.options === undefined) === (value.option_groups === undefined)) {
    problem(ctx, at, 'must provide exactly one of options or option_groups');
  }
  initialAmongOptions(value, at, ctx);
}

const maxSelected = { max_selected_items: opt(int(1, 100)) };

const ELEMENTS: Record<string, Check> = {
  // button-element: text 75, value 2000, url 3000, accessibility_label 75.
  button: object({
    type: req(oneOf('button')),
    text: req(plainText(75)),
    ...interactive,
    value: opt(str(2000)),
    url: opt(str(3000)),
    style: opt(oneOf('primary', 'danger')),
    confirm: opt(confirm),
    accessibility_label: opt(str(75)),
  }),
  // checkboxes-element: up to 10 options.
  checkboxes: object(
    { type: req(oneOf('checkboxes')), ...interactive, options: req(list(anyOption, 10)), initial_options: opt(list(anyOption, 10)), confirm: opt(confirm), ...focusable },
    initialAmongOptions,
  ),
  // radio-button-group-element: up to 10 options.
  radio_buttons: object(
    { type: req(oneOf('radio_buttons')), ...interactive, options: req(list(anyOption, 10)), initial_option: opt(anyOption), confirm: opt(confirm), ...focusable },
    initialAmongOptions,
  ),
  // date-picker-element: initial_date is YYYY-MM-DD.
  datepicker: object({
    type: req(oneOf('datepicker')),
    ...interactive,
    initial_date: opt(pattern(/^\d{4}-\d{2}-\d{2}$/, 'a date in the format YYYY-MM-DD')),
    confirm: opt(confirm),
    ...focusable,
    ...placeholder,
  }),
  // datetime-picker-element: initial_date_time is a UNIX timestamp in seconds (10 digits).
  datetimepicker: object({ type: req(oneOf('datetimepicker')), ...interactive, initial_date_time: opt(int(0, 9_999_999_999)), confirm: opt(confirm), ...focusable }),
  // time-picker-element: initial_time is HH:mm.
  timepicker: object({
    type: req(oneOf('timepicker')),
    ...interactive,
    initial_time: opt(pattern(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time in the format HH:mm')),
    timezone: opt(str(255)), // no limit documented: strict
    confirm: opt(confirm),
    ...focusable,
    ...placeholder,
  }),
  // plain-text-input-element: min_length 0..3000, max_length 1..3000, min <= max.
  plain_text_input: object(
    {
      type: req(oneOf('plain_text_input')),
      ...interactive,
      initial_value: opt(str(3000, 0)),
      multiline: opt(bool),
      min_length: opt(int(0, 3000)),
      max_length: opt(int(1, 3000)),
      dispatch_action_config: opt(dispatchActionConfig),
      ...focusable,
      ...placeholder,
    },
    (value, at, ctx) => {
      const { min_length: min, max_length: max, initial_value: initial } = value;
      if (typeof min === 'number' && typeof max === 'number' && min > max) problem(ctx, `${at}/min_length`, 'must not be greater than max_length');
      if (typeof initial === 'string' && typeof max === 'number' && initial.length > max) problem(ctx, `${at}/initial_value`, 'must not be longer than max_length');
    },
  ),
  // email-input-element / url-input-element: no length documented for initial_value: strict at 3000 like text inputs.
  email_text_input: object({ type: req(oneOf('email_text_input')), ...interactive, initial_value: opt(str(3000, 0)), dispatch_action_config: opt(dispatchActionConfig), ...focusable, ...placeholder }),
  url_text_input: object({ type: req(oneOf('url_text_input')), ...interactive, initial_value: opt(str(3000, 0)), dispatch_action_config: opt(dispatchActionConfig), ...focusable, ...placeholder }),
  // number-input-element: is_decimal_allowed required; values are numbers as strings, min <= max.
  number_input: object(
    {
      type: req(oneOf('number_input')),
      is_decimal_allowed: req(bool),
      ...interactive,
      initial_value: opt(pattern(/^-?\d+(\.\d+)?$/, 'a number')),
      min_value: opt(pattern(/^-?\d+(\.\d+)?$/, 'a number')),
      max_value: opt(pattern(/^-?\d+(\.\d+)?$/, 'a number')),
      dispatch_action_config: opt(dispatchActionConfig),
      ...focusable,
      ...placeholder,
    },
    (value, at, ctx) => {
      const n = (name: string) => (typeof value[name] === 'string' ? Number(value[name]) : undefined);
      const [min, max, initial] = [n('min_value'), n('max_value'), n('initial_value')];
      if (min !== undefined && max !== undefined && min > max) problem(ctx, `${at}/min_value`, 'must not be greater than max_value');
      if (initial !== undefined && ((min !== undefined && initial < min) || (max !== undefined && initial > max))) {
        problem(ctx, `${at}/initial_value`, 'must be between min_value and max_value');
      }
      for (const name of ['initial_value', 'min_value', 'max_value']) {
        if (value.is_decimal_allowed === false && typeof value[name] === 'string' && value[name].includes('.')) {
          problem(ctx, `${at}/${name}`, 'must be a whole number when is_decimal_allowed is false');
        }
      }
    },
  ),
  // select-menu-element / multi-select-menu-element: up to 100 options or option groups.
  static_select: object(
    {
      type: req(oneOf('static_select')),
      ...interactive,
      options: opt(list(plainOption, 100)),
      option_groups: opt(list(optionGroup, 100)),
      initial_option: opt(plainOption),
      confirm: opt(confirm),
      ...focusable,
      ...placeholder,
    },
    staticOptions,
  ),
  multi_static_select: object(
    {
      type: req(oneOf('multi_static_select')),
      ...interactive,
      options: opt(list(plainOption, 100)),
      option_groups: opt(list(optionGroup, 100)),
      initial_options: opt(list(plainOption, 100)),
      confirm: opt(confirm),
      ...maxSelected,
      ...focusable,
      ...placeholder,
    },
    staticOptions,
  ),
  users_select: object({ type: req(oneOf('users_select')), ...interactive, initial_user: opt(str(255)), confirm: opt(confirm), ...focusable, ...placeholder }),
  multi_users_select: object({ type: req(oneOf('multi_users_select')), ...interactive, initial_users: opt(list(str(255), 100)), confirm: opt(confirm), ...maxSelected, ...focusable, ...placeholder }),
  conversations_select: object({
    type: req(oneOf('conversations_select')),
    ...interactive,
    initial_conversation: opt(str(255)),
    default_to_current_conversation: opt(bool),
    response_url_enabled: opt(bool),
    confirm: opt(confirm),
    ...focusable,
    ...placeholder,
  }),
  channels_select: object({ type: req(oneOf('channels_select')), ...interactive, initial_channel: opt(str(255)), response_url_enabled: opt(bool), confirm: opt(confirm), ...focusable, ...placeholder }),
  // overflow-menu-element: 2 to 5 options, which may carry a url.
  overflow: object({ type: req(oneOf('overflow')), ...interactive, options: req(list(option(plainText(75), true), 5, 2)), confirm: opt(confirm) }),
  // image-element: alt_text 2000, image_url 3000.
  image: object({ type: req(oneOf('image')), image_url: req(str(3000)), alt_text: req(str(2000)) }),
  // feedback-buttons-element: both buttons required, each with text and value; accessibility_label 75.
  // No length is documented for their text and value: strict, as a button's (75 and 2000).
  feedback_buttons: object({
    type: req(oneOf('feedback_buttons')),
    ...interactive,
    positive_button: req(object({ text: req(plainText(75)), value: req(str(2000)), accessibility_label: opt(str(75)) })),
    negative_button: req(object({ text: req(plainText(75)), value: req(str(2000)), accessibility_label: opt(str(75)) })),
  }),
  // icon-button-element: icon and text required.
  icon_button: object({
    type: req(oneOf('icon_button')),
    icon: req(str(255)), // no limit documented: strict
    text: req(plainText(75)),
    ...interactive,
    value: opt(str(2000)),
    accessibility_label: opt(str(75)),
    visible_to_user_ids: opt(list(str(255), 100)),
    confirm: opt(confirm),
  }),
};

/** Which elements each container takes (the "Works with" lists of the element pages). */
const SELECTS = ['static_select', 'users_select', 'conversations_select', 'channels_select'];
const MULTI_SELECTS = ['multi_static_select', 'multi_users_select'];
const ACTIONS_ELEMENTS = ['button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'timepicker', ...SELECTS, ...MULTI_SELECTS];
const ACCESSORY_ELEMENTS = ['button', 'checkboxes', 'datepicker', 'image', 'overflow', 'radio_buttons', 'timepicker', ...SELECTS, ...MULTI_SELECTS];
const INPUT_ELEMENTS = [
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'timepicker',
  'url_text_input',
  ...SELECTS,
  ...MULTI_SELECTS,
];

function element(allowed: string[]): Check {
  return (value, at, ctx) => {
    const type = isObject(value) ? value.type : undefined;
    if (typeof type !== 'string' || !allowed.includes(type)) {
      return problem(ctx, `${at}/type`, `must be one of ${allowed.join(', ')}`);
    }
    (ELEMENTS[type] as Check)(value, at, ctx);
  };
}

/** Context blocks take text objects and images. */
const contextElement: Check = (value, at, ctx) => {
  const type = isObject(value) ? value.type : undefined;
  if (type === 'image') return (ELEMENTS.image as Check)(value, at, ctx);
  if (type === 'plain_text' || type === 'mrkdwn') return anyText()(value, at, ctx);
  problem(ctx, `${at}/type`, 'must be one of image, plain_text, mrkdwn');
};

// ---- rich text (blocks/rich-text-block) ---------------------------------------------------------

const style = opt(object({ bold: opt(bool), italic: opt(bool), strike: opt(bool), code: opt(bool) }));
const RICH_INLINE: Record<string, Check> = {
  text: object({ type: req(oneOf('text')), text: req(str(40_000)), style }),
  link: object({ type: req(oneOf('link')), url: req(str(3000)), text: opt(str(3000)), unsafe: opt(bool), style }),
  emoji: object({ type: req(oneOf('emoji')), name: req(str(255)), unicode: opt(str(255)), style }),
  user: object({ type: req(oneOf('user')), user_id: req(str(255)), style }),
  channel: object({ type: req(oneOf('channel')), channel_id: req(str(255)), style }),
  usergroup: object({ type: req(oneOf('usergroup')), usergroup_id: req(str(255)), style }),
  broadcast: object({ type: req(oneOf('broadcast')), range: req(oneOf('here', 'channel', 'everyone')) }),
};
const richInline: Check = (value, at, ctx) => {
  const type = isObject(value) ? value.type : undefined;
  const check = typeof type === 'string' ? RICH_INLINE[type] : undefined;
  if (!check) return problem(ctx, `${at}/type`, `must be one of ${Object.keys(RICH_INLINE).join(', ')}`);
  check(value, at, ctx);
};
const richSection = object({ type: req(oneOf('rich_text_section')), elements: req(list(richInline, 1000, 0)) });
const RICH_PARTS: Record<string, Check> = {
  rich_text_section: richSection,
  rich_text_list: object({
    type: req(oneOf('rich_text_list')),
    style: req(oneOf('bullet', 'ordered')),
    elements: req(list(richSection, 1000)),
    indent: opt(int(0, 8)),
    offset: opt(int(0, 1000)),
    border: opt(oneOf(0, 1)),
  }),
  rich_text_quote: object({ type: req(oneOf('rich_text_quote')), elements: req(list(richInline, 1000, 0)), border: opt(oneOf(0, 1)) }),
  rich_text_preformatted: object({ type: req(oneOf('rich_text_preformatted')), elements: req(list(richInline, 1000, 0)), border: opt(oneOf(0, 1)) }),
};
const richPart: Check = (value, at, ctx) => {
  const type = isObject(value) ? value.type : undefined;
  const check = typeof type === 'string' ? RICH_PARTS[type] : undefined;
  if (!check) return problem(ctx, `${at}/type`, `must be one of ${Object.keys(RICH_PARTS).join(', ')}`);
  check(value, at, ctx);
};

// ---- blocks (blocks/*) --------------------------------------------------------------------------

const blockId = { block_id: opt(str(255)) };
const ALL: Surface[] = ['message', 'modal', 'home'];

interface BlockKind {
  /** Where the block may appear (the blocks reference lists the surfaces of each). */
  surfaces: Surface[];
  check: Check;
}

const BLOCKS: Record<string, BlockKind> = {
  // section-block: text 1..3000, or up to 10 fields of 2000 each; one accessory.
  section: {
    surfaces: ALL,
    check: object(
      { type: req(oneOf('section')), ...blockId, text: opt(anyText(3000)), fields: opt(list(anyText(2000), 10)), accessory: opt(element(ACCESSORY_ELEMENTS)), expand: opt(bool) },
      (value, at, ctx) => {
        if (value.text === undefined && value.fields === undefined) problem(ctx, at, 'must provide either text or fields');
      },
    ),
  },
  // header-block: plain text of at most 150 characters.
  header: { surfaces: ALL, check: object({ type: req(oneOf('header')), ...blockId, text: req(plainText(150)) }) },
  divider: { surfaces: ALL, check: object({ type: req(oneOf('divider')), ...blockId }) },
  // context-block: 1 to 10 elements.
  context: { surfaces: ALL, check: object({ type: req(oneOf('context')), ...blockId, elements: req(list(contextElement, 10)) }) },
  // actions-block: 1 to 25 elements.
  actions: { surfaces: ALL, check: object({ type: req(oneOf('actions')), ...blockId, elements: req(list(element(ACTIONS_ELEMENTS), 25)) }) },
  // input-block: label 2000, hint 2000, one element.
  input: {
    surfaces: ALL,
    check: object({
      type: req(oneOf('input')),
      ...blockId,
      label: req(plainText(2000)),
      element: req(element(INPUT_ELEMENTS)),
      hint: opt(plainText(2000)),
      optional: opt(bool),
      dispatch_action: opt(bool),
    }),
  },
  // image-block: image_url 3000, alt_text 2000, title 2000.
  image: {
    surfaces: ALL,
    check: object({ type: req(oneOf('image')), ...blockId, image_url: req(str(3000)), alt_text: req(str(2000)), title: opt(plainText(2000)) }),
  },
  // markdown-block: Messages only; 12,000 characters for all markdown blocks of the payload together.
  markdown: {
    surfaces: ['message'],
    check: object({ type: req(oneOf('markdown')), ...blockId, text: req(str(12_000)) }, (value, _at, ctx) => {
      if (typeof value.text === 'string') ctx.markdownChars += value.text.length;
    }),
  },
  // rich-text-block.
  rich_text: { surfaces: ALL, check: object({ type: req(oneOf('rich_text')), ...blockId, elements: req(list(richPart, 1000)) }) },
  // context-actions-block: up to 5 feedback_buttons / icon_button elements. The page names messages
  // (AI apps) only; we are strict and refuse it elsewhere.
  context_actions: {
    surfaces: ['message'],
    check: object({ type: req(oneOf('context_actions')), ...blockId, elements: req(list(element(['feedback_buttons', 'icon_button']), 5)) }),
  },
};

/** Problems of a list of blocks (empty when Slack would take it), each as Slack words it. */
export function validateBlocks(value: unknown, surface: Surface, limits: BlockListLimits, at = '/blocks'): string[] {
  const ctx: Context = { problems: [], actionIds: new Set(), markdownChars: 0 };
  if (!Array.isArray(value)) {
    problem(ctx, at, 'must be an array');
    return ctx.problems;
  }
  if (value.length > limits.blocks) problem(ctx, at, `must provide no more than ${limits.blocks} items`);
  const blockIds = new Set<string>();
  value.forEach((block, i) => {
    const here = `${at}/${i}`;
    const type = isObject(block) ? block.type : undefined;
    const kind = typeof type === 'string' ? BLOCKS[type] : undefined;
    if (!kind) return problem(ctx, `${here}/type`, `unsupported type: ${String(type)}`);
    if (!kind.surfaces.includes(surface)) return problem(ctx, `${here}/type`, `${String(type)} blocks are not allowed in a ${surface}`);
    ctx.actionIds = new Set();
    kind.check(block, here, ctx);
    const id = (block as Json).block_id;
    if (typeof id === 'string') {
      if (blockIds.has(id)) problem(ctx, `${here}/block_id`, `duplicate block_id "${id}"`);
      blockIds.add(id);
    }
  });
  if (ctx.markdownChars > limits.markdownChars) {
    problem(ctx, at, `markdown blocks must be less than ${limits.markdownChars + 1} characters in total`);
  }
  return ctx.problems;
}

/** A field whose value is checked on its own afterwards (a view's blocks). */
const checkedBelow: Check = () => undefined;

/** Problems of a view object (views.open / push / update / publish). */
export function validateView(value: unknown, allowed: Array<'modal' | 'home'>, at = '/view'): string[] {
  const ctx: Context = { problems: [], actionIds: new Set(), markdownChars: 0 };
  if (!isObject(value)) {
    problem(ctx, at, 'must be an object');
    return ctx.problems;
  }
  const type = allowed.find((name) => name === value.type);
  if (type === undefined) {
    problem(ctx, `${at}/type`, `must be one of ${allowed.join(', ')}`);
    return ctx.problems;
  }
  // views reference: title, close and submit are plain text of at most 24 characters; submit is
  // required when the view holds an input block.
  const common = {
    type: req(oneOf(type)),
    blocks: req(checkedBelow),
    private_metadata: opt(str(3000, 0)),
    callback_id: opt(str(255, 0)),
    external_id: opt(str(255)), // no limit documented: strict
  };
  const modal = {
    title: req(plainText(24)),
    close: opt(plainText(24)),
    submit: opt(plainText(24)),
    clear_on_close: opt(bool),
    notify_on_close: opt(bool),
  };
  object(type === 'modal' ? { ...common, ...modal } : common)(value, at, ctx);
  const blocks = validateBlocks(value.blocks, type, VIEW_LIST_LIMITS, `${at}/blocks`);
  const hasInput = Array.isArray(value.blocks) && value.blocks.some((b) => isObject(b) && b.type === 'input');
  if (type === 'modal' && hasInput && value.submit === undefined) problem(ctx, `${at}/submit`, 'must provide a value when the view has input blocks');
  return [...ctx.problems, ...blocks];
}
