// The spend room: list prices per model (and PRICES_FILE over them), spend per person, channel and
// day in the store, the daily per-person cap, and the summary App Home shows approvers.
export { DEFAULT_PRICES, costMicroUsd, formatUsd, withOverrides, type ModelPrice, type PriceTable } from './prices.js';
export { loadPrices, parsePricesFile } from './prices-file.js';
export { createSpendLedger, lastDays, utcDay, SPEND_KEEP_DAYS, type DaySpend, type SpendLedger, type TurnSpend, type WithLock } from './ledger.js';
export { capSentence, createSpendKeeper, summarize, SUMMARY_DAYS, type CapCheck, type FinishedTurn, type SpendAsker, type SpendKeeper, type SpendSummary } from './keeper.js';
