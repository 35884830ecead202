/**
 * What every scenario of `npm run soak` shares: the run's settings (from the environment), the
 * rows of the final table, and small waiting and measuring helpers.
 *
 *   SOAK_QUICK=1   small sizes and short outages (about a minute in all)
 */
import { markdownTable, quantile } from '../helpers/report-table';

export { machine, quantile } from '../helpers/report-table';

const flag = (name: string) => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

export const quick = flag('SOAK_QUICK');

/** How a figure came out: `held`/`broken` for a claim, `measured` for a number with no claim on it. */
export type Verdict = 'held' | 'broken' | 'measured';

/** One line of the final table. */
export interface Row {
  scenario: string;
  figure: string;
  value: string;
  verdict: Verdict;
}

export const rows: Row[] = [];

export function addRow(scenario: string, figure: string, value: string, verdict: Verdict): void {
  rows.push({ scenario, figure, value, verdict });
  console.log(`  [${verdict}] ${figure}: ${value}`);
}

/** A claim: held when `ok`, broken otherwise; the value says what was seen either way. */
export const claim = (scenario: string, figure: string, ok: boolean, value: string) =>
  addRow(scenario, figure, value, ok ? 'held' : 'broken');

export const broken = () => rows.some((r) => r.verdict === 'broken');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const p50p99 = (xs: number[]) =>
  `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p99 ${quantile(xs, 0.99).toFixed(0)} ms (n=${xs.length})`;

/** The final markdown table, columns padded so it also reads well as plain text. */
export function table(): string {
  const header = ['scenario', 'figure', 'observed', 'verdict'];
  const body = rows.map((r) => [
    r.scenario,
    r.figure,
    r.value,
    r.verdict === 'broken' ? '**broken**' : r.verdict,
  ]);
  return markdownTable(header, body);
}
