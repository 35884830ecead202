/**
 * Open-loop polling while something else runs: a call every `everyMs` whether or not the last
 * one answered (a slow answer does not thin out the samples), at most `maxInFlight` at once.
 */
import { quantile } from './report';

export interface PollResult {
  /** Latencies of the calls that answered and counted. */
  latencies: number[];
  /** Calls that answered but were not counted (e.g. 404 for an agent not started yet). */
  uncounted: number;
  failures: number;
  firstError?: string;
  /** Ticks skipped because `maxInFlight` calls were still waiting. */
  skipped: number;
  /** Of the answers counted, those the API marked partial (not the worker's view of that moment). */
  partial?: number;
}

/** `call` resolves true to count its latency, false to count it as uncounted; it throws on failure. */
export function poll(everyMs: number, maxInFlight: number, call: () => Promise<boolean>) {
  const result: PollResult = { latencies: [], uncounted: 0, failures: 0, skipped: 0 };
  const inFlight = new Set<Promise<void>>();
  const tick = () => {
    if (inFlight.size >= maxInFlight) {
      result.skipped += 1;
      return;
    }
    const started = performance.now();
    const p: Promise<void> = call()
      .then(
        (counted) => {
          if (counted) result.latencies.push(performance.now() - started);
          else result.uncounted += 1;
        },
        (err: Error) => {
          result.failures += 1;
          result.firstError ??= err.message.split('\n')[0].slice(0, 200);
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    async stop(): Promise<PollResult> {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return result;
    },
  };
}

export const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);

export function describePoll(r: PollResult): string {
  const q = (p: number) => `${quantile(r.latencies, p).toFixed(1)} ms`;
  return (
    `${r.latencies.length} answers: p50 ${q(0.5)}, p99 ${q(0.99)}, max ${max(r.latencies).toFixed(1)} ms;` +
    ` ${r.failures} failed${r.firstError ? ` (first: ${r.firstError})` : ''}` +
    (r.uncounted ? `; ${r.uncounted} not counted` : '') +
    (r.skipped ? `; ${r.skipped} ticks skipped, too many in flight` : '') +
    (r.partial !== undefined ? `; ${r.partial} partial` : '')
  );
}
