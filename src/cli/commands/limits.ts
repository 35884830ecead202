/** `orchestra limits`: the model-call limiter of a worker of the task queue (`--json` for scripts). */
import { Command } from 'commander';
import { shownRate, type FleetRateFigures, type LimitsView } from '../../domain';
import type { Run } from '../context';
import { ago, tableLines } from '../table';

export function limitsCommand(run: Run): Command {
  return new Command('limits')
    .description(
      "model-call limits of a worker on $ORCHESTRA_TASK_QUEUE: calls, waits, 429s and 529s, the limit now (each worker keeps its own), and the fleet's rate a minute",
    )
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const view = await (await ctx.orchestra()).limits();
        ctx.out(o.json ? JSON.stringify(view, null, 2) : formatLimits(view));
      }),
    );
}

export function formatLimits(view: LimitsView, now = Date.parse(view.at)): string {
  const m = view.model;
  const paused = m.pausedUntil
    ? `paused for ${((Date.parse(m.pausedUntil) - now) / 1000).toFixed(1)} s more (retry-after)`
    : 'not paused';
  const average = m.waits.count ? Math.round(m.waits.totalMs / m.waits.count) : 0;
  const rows = [
    [
      'limit now',
      `${m.limit} calls at once (of ${m.max}; lowest ${m.lowest}; cut ${m.cuts} time${m.cuts === 1 ? '' : 's'})`,
    ],
    ['in flight', `${m.inFlight} running, ${m.queued} waiting; ${paused}`],
    ['calls', `${m.calls} (${m.ok} replied)`],
    ['429 / 529', `${m.rateLimited} rate limited / ${m.overloaded} overloaded`],
    [
      'waits',
      `${m.waits.count} waited: ${Math.round(m.waits.totalMs)} ms in all, ${average} ms on average, last ${Math.round(m.waits.lastMs)} ms, longest ${Math.round(m.waits.maxMs)} ms`,
    ],
  ];
  rows.push(...fleetRows(view.fleet, now));
  const others = view.workers - 1;
  const whose =
    others > 0
      ? `worker ${view.worker}: one of ${view.workers} polling ${view.taskQueue}; each keeps its own limits`
      : `worker ${view.worker}, the one polling ${view.taskQueue}`;
  return [whose, ...tableLines(['MODEL CALLS', ''], rows)].join('\n');
}

/** The fleet's rate, under the worker's figures: it is the server's, the same whichever worker answers. */
function fleetRows(fleet: FleetRateFigures | null, now: number): string[][] {
  if (!fleet) return [['FLEET RATE', 'none: ORCHESTRA_MODEL_RPM is not set on this worker']];
  const rate =
    fleet.current === null
      ? `unknown: the server did not say (${fleet.error ?? 'no answer'})`
      : `${shownRate(fleet.current)} calls a minute (of ${shownRate(fleet.configured)}; floor ${shownRate(fleet.floor)}; lowest ${shownRate(fleet.lowest)})`;
  const change = fleet.lastChange;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    ['FLEET RATE', `kept by the Temporal server on ${fleet.taskQueue}`],
    ['rate now', rate],
    [
      'last change',
      change
        ? `${ago(change.at, now)} by ${change.by}: ${change.reason}`
        : "never: the workers' own limit (ORCHESTRA_MODEL_RPM) holds",
    ],
    [
      'this worker',
      `${plural(fleet.cuts, 'cut')}, ${plural(fleet.raises, 'raise')}; at most one change every ${fleet.cooldownMs / 1000} s`,
    ],
  ];
}
