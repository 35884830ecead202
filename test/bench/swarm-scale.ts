/**
 * `npm run bench`, part "swarm": the wall time of a parallel swarm of N agents of 3 turns each
 * (2 list_files turns and a final text), against its critical path 3L for a scripted model of
 * fixed latency L; beside it the same N agents as plain in-process loops, and (100 agents at 1 s)
 * as N minimal Temporal loops on the same server. While the 100-agent swarm at 1 s runs, its
 * status query is asked every 200 ms; while the 1,000-agent swarm runs, the control API is asked
 * for random agents of it (5/s, from the API's own process) and the bench process's RSS is sampled.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import { parallelSpecSchema, swarmWorkflowId, type SwarmOutcome } from '../../src/domain';
import { startSwarm, swarmStatus, waitForSwarm } from '../../src/temporal/swarms';
import type { ModelLimits } from '../../workers/worker';
import { type Harness } from '../helpers/harness';
import { startMinimalWorker, type MinimalWorker } from './minimal';
import { plainClient, plainLoop } from './plain-loop';
import { describePoll, max, poll, type PollResult } from './poller';
import { addRow, ms, quantile, settings, times, type Row } from './report';
import { withServer } from './server';

const SMALL = settings.quick ? 10 : 100;
export const LARGE = settings.quick ? 50 : 1000;

interface Limits {
  modelLimits: ModelLimits;
  workerOverrides: Partial<WorkerOptions>;
}
// Concurrency well above the swarm size: this measures orchestration, not the provider limit.
const SMALL_LIMITS: Limits = {
  modelLimits: { modelConcurrency: 200 },
  workerOverrides: { maxConcurrentActivityTaskExecutions: 200, maxCachedWorkflows: 1000 },
};
export const LARGE_LIMITS: Limits = {
  modelLimits: { modelConcurrency: 1000 },
  workerOverrides: {
    maxConcurrentActivityTaskExecutions: 1000,
    maxConcurrentLocalActivityExecutions: 1000,
    maxCachedWorkflows: 2000,
  },
};

/** 2 list_files turns and a final text, each after `latency` ms. */
export function threeTurnTask(h: Harness, latency: number): string {
  const turn = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: latency };
  return h.script([turn, turn, { text: 'done', delayMs: latency }], { task: 'bench' });
}

async function wallOf(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The most agents one parallel spec may hold (the spec schema's limit), up to `n`. */
export function agentsPerSwarm(n: number): number {
  for (const size of [n, 500, 200, 100, 50, 10]) {
    if (size > n) continue;
    const spec = {
      strategy: 'parallel',
      task: 'x',
      merge: 'all',
      agents: Array.from({ length: size }, () => ({})),
    };
    if (parallelSpecSchema.safeParse(spec).success) return size;
  }
  throw new Error(`no parallel swarm spec of up to ${n} agents is accepted`);
}

interface SwarmRun {
  wall: number;
  /** Set when the bench gave up waiting. */
  timedOut: boolean;
  /** Agents completed (undefined: the swarm did not answer when the bench gave up). */
  completed?: number;
  swarms: string[];
  speedup?: number;
}

/** Start `n` agents as one parallel swarm (or as few as the spec allows, started at once) and wait. */
export async function orchestraSwarm(
  h: Harness,
  n: number,
  latency: number,
  cwd: string,
  onStarted: (swarmIds: string[]) => void = () => {},
): Promise<SwarmRun> {
  const task = threeTurnTask(h, latency);
  const per = agentsPerSwarm(n);
  const sizes = Array.from({ length: Math.ceil(n / per) }, (_, i) => Math.min(per, n - i * per));
  const started = performance.now();
  const swarms = await Promise.all(
    sizes.map(async (size) => {
      const { id } = await startSwarm(h.client, h.defaults, {
        spec: { strategy: 'parallel', task, merge: 'all', agents: Array.from({ length: size }, () => ({})) },
        cwd,
        budgets: { maxSubagents: Math.max(1000, size), maxToolCalls: 10 * size, maxTokens: 1_000_000_000 },
      });
      return id;
    }),
  );
  onStarted(swarms);
  const timeoutMs = settings.swarmTimeoutMs(n);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([Promise.all(swarms.map((id) => waitForSwarm(h.client, id))), deadline]);
  const wall = performance.now() - started;
  clearTimeout(timer);
  if (outcome === 'timeout') {
    const seen = await Promise.all(swarms.map((id) => swarmStatus(h.client, id).catch(() => undefined)));
    await Promise.all(
      swarms.map((id) =>
        h.client.workflow
          .getHandle(swarmWorkflowId(id))
          .terminate('the bench gave up waiting')
          .catch(() => undefined),
      ),
    );
    const completed = seen.every((o) => o !== undefined)
      ? seen.reduce((sum, o) => sum + o!.stats.completed, 0)
      : undefined;
    return { wall, timedOut: true, completed, swarms };
  }
  const outs = outcome as SwarmOutcome[];
  const completed = outs.reduce((sum, o) => sum + o.stats.completed, 0);
  if (completed !== n)
    throw new Error(`only ${completed} of ${n} agents completed: ${outs.map((o) => o.error).join('; ')}`);
  return {
    wall,
    timedOut: false,
    completed,
    swarms,
    speedup: outs.length === 1 ? outs[0].stats.speedup : undefined,
  };
}

export function plainSwarm(h: Harness, n: number, latency: number, cwd: string): Promise<number> {
  const sdk = plainClient(h.model.url);
  const task = threeTurnTask(h, latency);
  return wallOf(() => Promise.all(Array.from({ length: n }, () => plainLoop(sdk, task, cwd))));
}

function minimalSwarm(h: Harness, minimal: MinimalWorker, n: number, latency: number, cwd: string) {
  const task = threeTurnTask(h, latency);
  return wallOf(() => Promise.all(Array.from({ length: n }, () => minimal.run(task, cwd, 10))));
}

export const label = (n: number, latency: number) =>
  `${n.toLocaleString('en-US')} agents × 3 turns, ${latency >= 1000 ? `${latency / 1000} s` : `${latency} ms`} model`;

function orchestraCell(run: SwarmRun, n: number, latency: number): string {
  const x = run.wall / (3 * latency);
  return run.timedOut ? `> ${times(x)} (gave up; ${run.completed ?? '?'}/${n} done)` : times(x);
}

export function swarmRow(
  run: SwarmRun,
  n: number,
  latency: number,
  base: string,
  baseWall: number,
  target: number,
  note = '',
  targetNote = '',
) {
  const x = run.wall / (3 * latency);
  addRow({
    figure: `${label(n, latency)}: wall / critical path 3L, vs ${base}${note}`,
    baseline: `${base} ${times(baseWall / (3 * latency))}`,
    orchestra: orchestraCell(run, n, latency),
    ratio: `${run.timedOut ? '> ' : ''}${times(run.wall / baseWall)}`,
    target: Number.isFinite(target) ? `≤ ${target}x${targetNote}` : '—',
    met: Number.isFinite(target) ? !run.timedOut && x <= target : undefined,
  });
}

export function printLine(what: string, n: number, latency: number, wall: number, note = ''): void {
  console.log(
    `${what.padEnd(22)} | ${String(n).padStart(6)} | ${String(latency).padStart(6)} ms | ${(wall / 1000).toFixed(2).padStart(7)} s |` +
      ` ${times(wall / (3 * latency)).padStart(8)}${note ? ` | ${note}` : ''}`,
  );
}

let plain1000: number | undefined;

async function hundred(): Promise<void> {
  await withServer(SMALL_LIMITS, async (h, cwd) => {
    const minimal = await startMinimalWorker(h, SMALL_LIMITS.workerOverrides);
    try {
      // Warm-up: bundles, connections, JIT.
      await orchestraSwarm(h, 2, 0, cwd);
      await minimalSwarm(h, minimal, 2, 0, cwd);
      for (const [latency, target] of [
        [250, 4],
        [1000, 1.5],
      ]) {
        const plain = await plainSwarm(h, SMALL, latency, cwd);
        printLine('plain loops', SMALL, latency, plain);
        let statusPoll: ReturnType<typeof poll> | undefined;
        const run = await orchestraSwarm(h, SMALL, latency, cwd, ([id]) => {
          // The live view: the swarm's status query every 200 ms while it runs.
          if (latency === 1000)
            statusPoll = poll(200, 50, async () => {
              await swarmStatus(h.client, id);
              return true;
            });
        });
        const status = await statusPoll?.stop();
        printLine(
          'Orchestra swarm',
          SMALL,
          latency,
          run.wall,
          run.timedOut
            ? `gave up after ${(run.wall / 1000).toFixed(0)} s, ${run.completed ?? '?'}/${SMALL} done`
            : `swarm-reported speedup ${run.speedup}x`,
        );
        swarmRow(run, SMALL, latency, 'plain loop', plain, target);
        if (latency === 1000) {
          const floor = await minimalSwarm(h, minimal, SMALL, latency, cwd);
          printLine('minimal Temporal loops', SMALL, latency, floor);
          swarmRow(run, SMALL, latency, 'minimal loop', floor, NaN);
        }
        if (status) {
          console.log(`  swarm status query every 200 ms while it ran: ${describePoll(status)}`);
          statusRow(status, `${label(SMALL, latency)}: swarm status query while it runs`);
        }
      }
      if (!settings.skip1000) {
        // The baseline of the 1,000-agent swarm (which runs in a process of its own).
        plain1000 = await plainSwarm(h, LARGE, 1000, cwd);
        printLine('plain loops', LARGE, 1000, plain1000);
      }
    } finally {
      await minimal.stop();
    }
  });
}

function statusRow(r: PollResult, figure: string): void {
  const asked = r.latencies.length + r.failures;
  addRow({
    figure: `${figure}, p99 (p50 / max)`,
    baseline: '—',
    orchestra: `${ms(quantile(r.latencies, 0.99))} (${ms(quantile(r.latencies, 0.5))} / ${ms(max(r.latencies))})`,
    ratio: '—',
    target: '—',
  });
  addRow({
    figure: `${figure}, failed`,
    baseline: '—',
    orchestra: `${r.failures} of ${asked}`,
    ratio: '—',
    target: '0',
    met: r.failures === 0,
  });
}

export async function swarmScale(): Promise<void> {
  console.log(
    `\nparallel swarms, 3 turns per agent (2 list_files + final text), critical path 3L; beside them the same` +
      ` agents as plain in-process loops and as minimal Temporal loops (same server)`,
  );
  console.log('what                   | agents | latency L | wall time | wall / 3L | notes');
  await hundred();
  if (settings.skip1000) console.log('(the 1,000-agent swarm is skipped: BENCH_SKIP_1000)');
  else await thousandInChild();
}

/**
 * The 1,000-agent swarm in a fresh Node process (swarm-1000.ts), its rows sent back: the RSS it
 * reports is then that run's own, not the high-water mark the earlier parts left in this one.
 * Then once more with the worker's V8 heap capped, for the RSS the agents need.
 */
async function thousandInChild(): Promise<void> {
  await runChild({ BENCH_PLAIN_1000_MS: String(plain1000 ?? '') });
  await runChild({ BENCH_1000_HEAP_MB: String(HEAP_CAP_MB) }, [`--max-old-space-size=${HEAP_CAP_MB}`]);
}

/** The V8 heap cap (MB per thread) README's "Sizing a worker" gives for a thousand live agents. */
const HEAP_CAP_MB = 512;

async function runChild(env: Record<string, string>, execArgv: string[] = []): Promise<void> {
  const child = fork(path.join(__dirname, 'swarm-1000.js'), { env: { ...process.env, ...env }, execArgv });
  const guard = setTimeout(() => child.kill('SIGKILL'), settings.swarmTimeoutMs(LARGE) + 180_000);
  let got: Row[] | undefined;
  child.on('message', (message: { rows?: Row[] }) => {
    got = message.rows;
  });
  const code = await new Promise<number | string | null>((resolve) =>
    child.once('exit', (c, signal) => resolve(signal ?? c)),
  );
  clearTimeout(guard);
  for (const row of got ?? []) addRow(row);
  if (code !== 0) throw new Error(`the 1,000-agent swarm's process exited with ${code}`);
}
