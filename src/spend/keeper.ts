// The spend room's face to the Slack front: it prices a finished turn and records it (after the
// answer is posted, off the answer's path), checks a person's daily cap before a turn starts, and
// sums the last days up for App Home. A store that cannot be reached never stops an answer: the
// cap lets the question through with a warning (like the per-person limits), and a turn that cannot
// be recorded is logged.
import type { Usage } from '../agent/types.js';
import type { Logger } from '../log.js';
import { lastDays, untilUtcMidnight, utcDay, type DaySpend, type SpendLedger } from './ledger.js';
import { costMicroUsd, formatUsd, type PriceTable } from './prices.js';

export interface SpendAsker {
  teamId: string;
  userId: string;
}

export interface FinishedTurn extends SpendAsker {
  channel: string;
  questionId: string;
  usage: Usage;
}

export type CapCheck = { ok: true } | { ok: false; message: string };

/** What App Home shows approvers: today and the last 7 days, people and channels by spend. */
export interface SpendSummary {
  todayMicroUsd: number;
  weekMicroUsd: number;
  /** Turns on a model with no price, over the 7 days. */
  unpriced: number;
  /** Over the 7 days, most first, at most `top` each. */
  people: Array<{ id: string; microUsd: number }>;
  channels: Array<{ id: string; microUsd: number }>;
}

export interface SpendKeeper {
  /** Whether this person may start a turn today (policy limits.dailySpendUsd). */
  admit(asker: SpendAsker): Promise<CapCheck>;
  /** Prices and stores a finished turn; never throws. */
  record(turn: FinishedTurn): Promise<void>;
  summary(teamId: string): Promise<SpendSummary>;
}

export interface SpendKeeperOptions {
  ledger: SpendLedger;
  prices: PriceTable;
  /** The model every turn uses (ANTHROPIC_MODEL). */
  model: string;
  /** Policy limits.dailySpendUsd; absent = no cap. */
  dailySpendUsd?: number;
  /** How many people and channels App Home lists. */
  top?: number;
  logger: Logger;
  now?: () => number;
}

export const SUMMARY_DAYS = 7;
const DEFAULT_TOP = 10;

export function createSpendKeeper(options: SpendKeeperOptions): SpendKeeper {
  const { ledger, logger, dailySpendUsd } = options;
  const now = options.now ?? Date.now;
  const price = options.prices.get(options.model);
  let toldUnpriced = false;

  return {
    async admit({ teamId, userId }) {
      if (dailySpendUsd === undefined) return { ok: true };
      const at = now();
      let spent: number;
      try {
        spent = await ledger.personDay(teamId, userId, utcDay(at));
      } catch (error) {
        logger.warn('could not read the spend for the daily cap; the question goes ahead', { user: userId, error: errorText(error) });
        return { ok: true };
      }
      const cap = Math.round(dailySpendUsd * 1_000_000);
      if (spent < cap) return { ok: true };
      return { ok: false, message: capSentence(cap, spent, untilUtcMidnight(at)) };
    },

    async record({ usage, ...turn }) {
      if (!price && !toldUnpriced) {
        toldUnpriced = true;
        logger.warn('the model has no price: its spend is counted as unpriced; add it to PRICES_FILE', { model: options.model });
      }
      const microUsd = price ? costMicroUsd(usage, price) : undefined;
      try {
        const counted = await ledger.record({ ...turn, day: utcDay(now()), microUsd });
        logger.debug(counted ? 'spend recorded' : 'spend already recorded', { user: turn.userId, microUsd });
      } catch (error) {
        logger.warn('could not record the spend of a turn', { user: turn.userId, microUsd, error: errorText(error) });
      }
    },

    async summary(teamId) {
      const days = await ledger.teamDays(teamId, lastDays(now(), SUMMARY_DAYS));
      return summarize(days, options.top ?? DEFAULT_TOP);
    },
  };
}

/** Sums days (newest first, as lastDays gives them) into what App Home shows. */
export function summarize(days: readonly DaySpend[], top: number): SpendSummary {
  const people = new Map<string, number>();
  const channels = new Map<string, number>();
  for (const day of days) {
    for (const [id, microUsd] of Object.entries(day.people)) people.set(id, (people.get(id) ?? 0) + microUsd);
    for (const [id, microUsd] of Object.entries(day.channels)) channels.set(id, (channels.get(id) ?? 0) + microUsd);
  }
  const ranked = (totals: Map<string, number>) =>
    [...totals].map(([id, microUsd]) => ({ id, microUsd })).sort((a, b) => b.microUsd - a.microUsd || a.id.localeCompare(b.id)).slice(0, top);
  return {
    todayMicroUsd: days[0]?.microUsd ?? 0,
    weekMicroUsd: days.reduce((sum, day) => sum + day.microUsd, 0),
    unpriced: days.reduce((sum, day) => sum + day.unpriced, 0),
    people: ranked(people),
    channels: ranked(channels),
  };
}

/** One sentence: the cap, what was spent, and when it resets. */
export function capSentence(capMicroUsd: number, spentMicroUsd: number, msToReset: number): string {
  return `You have used ${formatUsd(spentMicroUsd)} today, and this bot spends at most ${formatUsd(capMicroUsd)} a day for one person; the limit resets at midnight UTC, in ${hoursAndMinutes(msToReset)}, so please ask again then.`;
}

function hoursAndMinutes(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (hours === 0) return part(rest, 'minute');
  return rest === 0 ? part(hours, 'hour') : `${part(hours, 'hour')} ${part(rest, 'minute')}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
