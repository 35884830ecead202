/**
 * Cost (the seed's CostTracker): a price table per model, the cost of each call, and
 * budgets per agent, per session and per workspace per day, warning at a threshold.
 */
import { z } from 'zod';
import { lazy } from './lazy';

/** US dollars per million tokens. */
export const priceSchema = lazy(() =>
  z
    .object({
      input: z.number().min(0).describe('Input tokens, USD per million'),
      output: z.number().min(0).describe('Output tokens, USD per million'),
      cacheWrite: z.number().min(0).optional().describe('Cache writes (default 1.25 x input)'),
      cacheRead: z.number().min(0).optional().describe('Cache reads (default 0.1 x input)'),
    })
    .strict(),
);
export type Price = z.infer<typeof priceSchema>;
export const priceTableSchema = lazy(() => z.record(z.string().min(1).max(200), priceSchema));
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * Anthropic's list prices (USD per million tokens) when this was written. A model is
 * priced by the longest entry its name starts with, so dated ids match their family.
 * Override any of them in the config file's `prices`.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-4-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-1': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-opus-4-0': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-opus-4-2': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
  'claude-opus': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-sonnet': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-3-7-sonnet': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-haiku': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 },
};

/** Tokens of one call, cache included. */
export interface CallTokens {
  input: number;
  output: number;
  cacheWrite?: number;
  cacheRead?: number;
}

/** The price of a model: the longest table entry its name starts with. */
export function priceFor(model: string, table: PriceTable): Price | undefined {
  const key = Object.keys(table)
    .filter((k) => model === k || model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : table[key];
}

/** USD for one call. */
export function callCost(tokens: CallTokens, price: Price): number {
  const perToken =
    tokens.input * price.input +
    tokens.output * price.output +
    (tokens.cacheWrite ?? 0) * (price.cacheWrite ?? price.input * 1.25) +
    (tokens.cacheRead ?? 0) * (price.cacheRead ?? price.input * 0.1);
  return perToken / 1_000_000;
}

/** To a millionth of a dollar: what a search attribute shows, free of floating-point dust. */
export function roundedUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** Money for people: dollars with cents, or fractions of a cent for small sums. */
export function formatUsd(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

// ---- budgets ----

export const BUDGET_LEVELS = ['agent', 'session', 'day'] as const;
export type BudgetLevel = (typeof BUDGET_LEVELS)[number];

export const budgetRequestSchema = lazy(() =>
  z
    .object({
      agentUsd: z.number().positive().optional().describe('Most this agent may spend (USD), its own calls'),
      dailyUsd: z
        .number()
        .positive()
        .optional()
        .describe("Most the agent's workspace may spend in a UTC day, every agent counted"),
      onLimit: z
        .enum(['pause', 'stop'])
        .optional()
        .describe('At a limit: pause for approval (default) or stop'),
      warnAt: z.number().gt(0).lt(1).optional().describe('Fraction of a budget that warns (default 0.8)'),
    })
    .strict(),
);
export type BudgetRequest = z.infer<typeof budgetRequestSchema>;

export interface Budget {
  agentUsd?: number;
  dailyUsd?: number;
  onLimit: 'pause' | 'stop';
  warnAt: number;
}

export function resolveBudget(request: BudgetRequest = {}, base?: Budget): Budget {
  return {
    agentUsd: request.agentUsd ?? base?.agentUsd,
    dailyUsd: request.dailyUsd ?? base?.dailyUsd,
    onLimit: request.onLimit ?? base?.onLimit ?? 'pause',
    warnAt: request.warnAt ?? base?.warnAt ?? 0.8,
  };
}

/** Spent and allowed at each level the agent answers to. */
export type Spending = Partial<Record<BudgetLevel, { spentUsd: number; limitUsd?: number }>>;

export interface BudgetCheck {
  /** Levels past the warning threshold, not yet at their limit. */
  warn: BudgetLevel[];
  /** The first level at or past its limit. */
  exceeded?: { level: BudgetLevel; spentUsd: number; limitUsd: number };
}

export function checkBudgets(spending: Spending, warnAt: number): BudgetCheck {
  const warn: BudgetLevel[] = [];
  let exceeded: BudgetCheck['exceeded'];
  for (const level of BUDGET_LEVELS) {
    const s = spending[level];
    if (!s || s.limitUsd === undefined) continue;
    if (s.spentUsd >= s.limitUsd) exceeded ??= { level, spentUsd: s.spentUsd, limitUsd: s.limitUsd };
    else if (s.spentUsd >= s.limitUsd * warnAt) warn.push(level);
  }
  return { warn, exceeded };
}

/** The UTC day a time falls on, as the daily ledger names it. */
export function utcDay(iso: string): string {
  return iso.slice(0, 10);
}

export function ledgerWorkflowId(workspace: string, day: string): string {
  return `cost-${workspace}-${day}`;
}
