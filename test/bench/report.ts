/**
 * What every part of `npm run bench` shares: the run's settings (from the environment), the
 * rows of the final table, and a few measuring helpers.
 *
 *   BENCH_ONLY=turn,swarm,graph,governance,...     run only these parts (default: all)
 *   BENCH_SKIP_1000=1                              skip the 1,000-agent swarm
 *   BENCH_QUICK=1                                  10 agents for 100, 50 for 1,000, fewer repeats
 *                                                  (the feed: 10 running, 100 finished, 5 s windows)
 *   BENCH_SWARM_TIMEOUT_S=N                        give up on a swarm after N s (default 180; 300 for 1,000)
 */
import { markdownTable } from '../helpers/report-table';

export { machine, quantile } from '../helpers/report-table';

export const PARTS = [
  'turn',
  'swarm',
  'graph',
  'governance',
  'history',
  'api',
  'feed',
  'scene',
  'list',
  'limits',
  'cli',
] as const;
export type Part = (typeof PARTS)[number];

const flag = (name: string) => ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());

function onlyParts(): Set<Part> {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return new Set(PARTS);
  const asked = raw.split(',').map((s) => s.trim().toLowerCase());
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length)
    throw new Error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}`);
  return new Set(asked as Part[]);
}

const timeoutS = Number(process.env.BENCH_SWARM_TIMEOUT_S ?? '') || undefined;

export const settings = {
  quick: flag('BENCH_QUICK'),
  skip1000: flag('BENCH_SKIP_1000'),
  parts: onlyParts(),
  /** How long a swarm of `agents` may take before the bench gives up on it. */
  swarmTimeoutMs: (agents: number) => (timeoutS ?? (agents > 100 ? 300 : 180)) * 1000,
};

/** One line of the final table. `met` undefined: no target for this figure. */
export interface Row {
  figure: string;
  baseline: string;
  orchestra: string;
  ratio: string;
  target: string;
  met?: boolean;
}

export const rows: Row[] = [];

export function addRow(row: Row): void {
  rows.push(row);
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;
export const times = (x: number) => `${x.toFixed(2)}x`;
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The final markdown table, columns padded so it also reads well as plain text. */
export function table(): string {
  const header = ['figure', 'baseline', 'Orchestra', 'ratio', 'target', 'met?'];
  const body = rows.map((r) => [
    r.figure,
    r.baseline,
    r.orchestra,
    r.ratio,
    r.target,
    r.met === undefined ? '—' : r.met ? 'yes' : '**no**',
  ]);
  return markdownTable(header, body);
}
