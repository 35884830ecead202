/** `orchestra limits`: the model-call limiter of a worker of the task queue (`--json` for scripts). */
import { Command } from 'commander';
import type { LimitsView } from '../../domain';
import type { Run } from '../context';
import { tableLines } from '../table';

export function limitsCommand(run: Run): Command {
  return new Command('limits')
    .description(
      'model-call limits of a worker on $ORCHESTRA_TASK_QUEUE: calls, waits, 429s and 529s, the limit now (each worker keeps its own)',
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
  const others = view.workers - 1;
  const whose =
    others > 0
      ? `worker ${view.worker}: one of ${view.workers} polling ${view.taskQueue}; each keeps its own limits`
      : `worker ${view.worker}, the one polling ${view.taskQueue}`;
  return [whose, ...tableLines(['MODEL CALLS', ''], rows)].join('\n');
}
