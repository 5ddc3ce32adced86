/**
 * Budget math, pure and exact. Money is counted in whole nano-dollars (1e-9 USD): every model price is a
 * whole number of nano-dollars per token (prices in USD per 1M tokens with at most 3 decimals), so the cost
 * of a call — Σ tokens × price — is an integer and sums never drift the way float dollars do.
 * Usable in workflows (no I/O, no clock, no randomness).
 */
export const NANO_PER_USD = 1_000_000_000;

/** USD → nano-dollars, rounded to the nearest nano-dollar. */
export function usdToNano(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`amount must be a non-negative finite number of USD, got ${usd}`);
  const nano = Math.round(usd * NANO_PER_USD);
  if (!Number.isSafeInteger(nano)) throw new RangeError(`amount too large: ${usd} USD`);
  return nano;
}

export const nanoToUsd = (nano: number): number => nano / NANO_PER_USD;

/** Exact decimal string of a nano-dollar amount, e.g. 1500 → "0.000001500" (for NUMERIC columns). */
export function nanoToDecimal(nano: number): string {
  if (!Number.isSafeInteger(nano) || nano < 0) throw new RangeError(`expected a non-negative integer of nano-dollars, got ${nano}`);
  return `${Math.trunc(nano / NANO_PER_USD)}.${String(nano % NANO_PER_USD).padStart(9, '0')}`;
}

/** A NUMERIC string with up to 9 decimals (as Postgres returns it) → nano-dollars, exactly. */
export function decimalToNano(decimal: string): number {
  const m = /^(\d+)(?:\.(\d{0,9})\d*)?$/.exec(decimal.trim());
  if (!m) throw new RangeError(`not a non-negative decimal: ${decimal}`);
  return Number(m[1]) * NANO_PER_USD + Number((m[2] ?? '').padEnd(9, '0'));
}

/** A price in USD per 1M tokens → nano-dollars per token; refuses prices that would not be exact. */
export function pricePerMillionToNanoPerToken(usdPerMillion: number): number {
  const nano = usdPerMillion * 1000;
  const whole = Math.round(nano);
  if (!Number.isFinite(usdPerMillion) || usdPerMillion < 0 || Math.abs(nano - whole) > 1e-6) {
    throw new RangeError(`price ${usdPerMillion} USD/1M tokens must be ≥ 0 with at most 3 decimals (a whole number of nano-dollars per token)`);
  }
  return whole;
}

export interface TokenPrice {
  inputNanoPerToken: number;
  outputNanoPerToken: number;
}

/** Σ tokens × price, in nano-dollars. */
export function costNano(usage: { inputTokens: number; outputTokens: number }, price: TokenPrice): number {
  return usage.inputTokens * price.inputNanoPerToken + usage.outputTokens * price.outputNanoPerToken;
}

export type BudgetLevel = 'ok' | 'warning' | 'exhausted';

/** A per-workflow budget. Plain JSON: it lives in workflow state and is returned by the `budget` query. */
export interface Budget {
  limitNano: number;
  spentNano: number;
  /** Fraction of the limit at which a warning is raised (default 0.75). */
  warnAt: number;
  /** Whether the warning for the current limit was already raised (so it is raised exactly once). */
  warned: boolean;
  raises: { fromNano: number; toNano: number; by: string }[];
}

export function createBudget(limitUsd: number, warnAt = 0.75): Budget {
  if (!(warnAt > 0 && warnAt < 1)) throw new RangeError(`warnAt must be in (0, 1), got ${warnAt}`);
  const limitNano = usdToNano(limitUsd);
  if (limitNano <= 0) throw new RangeError('a budget must be greater than 0 USD');
  return { limitNano, spentNano: 0, warnAt, warned: false, raises: [] };
}

export function budgetLevel(b: Budget): BudgetLevel {
  if (b.spentNano >= b.limitNano) return 'exhausted';
  // Integer comparison: spent / limit ≥ warnAt, without float division drift at the boundary.
  if (b.spentNano >= Math.ceil(b.limitNano * b.warnAt)) return 'warning';
  return 'ok';
}

export interface SpendResult {
  budget: Budget;
  level: BudgetLevel;
  /** True exactly once per limit: the first spend that reaches the warning threshold (or beyond). */
  warnNow: boolean;
}

/** Adds a cost. Returns the new budget (the input is not mutated) and what a workflow should do now. */
export function recordSpend(b: Budget, costNanoUsd: number): SpendResult {
  if (!Number.isSafeInteger(costNanoUsd) || costNanoUsd < 0) throw new RangeError(`cost must be a non-negative integer of nano-dollars, got ${costNanoUsd}`);
  const next: Budget = { ...b, spentNano: b.spentNano + costNanoUsd };
  const level = budgetLevel(next);
  const warnNow = level !== 'ok' && !next.warned;
  if (warnNow) next.warned = true;
  return { budget: next, level, warnNow };
}

/** Raises the limit (never lowers it). The warning re-arms when the new limit puts spending back under it. */
export function raiseBudget(b: Budget, toUsd: number, by: string): Budget {
  const toNano = usdToNano(toUsd);
  if (toNano <= b.limitNano) throw new RangeError(`the new budget ${toUsd} USD must be above the current ${nanoToUsd(b.limitNano)} USD`);
  const next: Budget = { ...b, limitNano: toNano, raises: [...b.raises, { fromNano: b.limitNano, toNano, by }] };
  next.warned = budgetLevel(next) !== 'ok';
  return next;
}

/** JSON view for queries, alerts and search attributes. */
export function budgetView(b: Budget): { limitUsd: number; spentUsd: number; level: BudgetLevel; fraction: number } {
  return { limitUsd: nanoToUsd(b.limitNano), spentUsd: nanoToUsd(b.spentNano), level: budgetLevel(b), fraction: b.spentNano / b.limitNano };
}

const DAY_MS = 86_400_000;
/** Milliseconds from `nowMs` to the next UTC midnight (when the global daily cap resets). */
export const msUntilNextUtcDay = (nowMs: number): number => DAY_MS - (nowMs % DAY_MS);
