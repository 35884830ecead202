/**
 * The 1,000-agent swarm of the swarm part, run by swarm-scale.ts in a process of its own (so the
 * RSS it reports is this run's): its wall time against the plain loops and against the same
 * agents each started by a client (what the swarm above them costs), the process's RSS, and the
 * control API's GET /agents/:id of its agents while it runs (the API and its client in a
 * process of their own, as deployed).
 */
import { agentWorkflowId } from '../../src/domain';
import { spawnAgent, waitForAgent } from '../../src/temporal/agents';
import { waitForStatus, type Harness } from '../helpers/harness';
import { GETS_PER_SECOND, startApiProcess } from './api-process';
import { describePoll, max, type PollResult } from './poller';
import { addRow, mib, ms, quantile, rows, settings, times } from './report';
import {
  agentsPerSwarm,
  label,
  LARGE,
  LARGE_LIMITS,
  orchestraSwarm,
  plainSwarm,
  printLine,
  swarmRow,
  threeTurnTask,
} from './swarm-scale';
import { withServer } from './server';

const GIB = 2 ** 30;
const API_P99_TARGET_MS = 250;

/** RSS of this process before and at its peak (sampled every 250 ms) while `fn` runs. */
async function sampleRss<T>(fn: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 250);
  try {
    return { result: await fn(), before, peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The same swarm again in a process whose V8 heap is capped (BENCH_1000_HEAP_MB per thread, as
 * README's "Sizing a worker" suggests): V8 grows its heap lazily, so the RSS of the uncapped run
 * says what V8 allowed itself, this one what the agents need.
 */
async function thousandHeapCapped(heapMb: number): Promise<void> {
  await withServer(LARGE_LIMITS, async (h, cwd) => {
    await orchestraSwarm(h, 2, 0, cwd); // warm-up
    const { result: run, before, peak } = await sampleRss(() => orchestraSwarm(h, LARGE, 1000, cwd));
    printLine('Orchestra swarm', LARGE, 1000, run.wall, `V8 heap capped at ${heapMb} MB per thread`);
    console.log(`  RSS of this process: ${mib(before)} before the swarm, ${mib(peak)} at peak`);
    addRow({
      figure:
        `${label(LARGE, 1000)}: RSS peak of the bench process running it, its V8 heap capped at ${heapMb} MB` +
        ' per thread (worker + client + scripted server)',
      baseline: `before the swarm ${mib(before)}`,
      orchestra: `${mib(peak)} (wall ${times(run.wall / 3000)})`,
      ratio: '—',
      target: '≤ 1 GiB',
      met: !run.timedOut && peak <= GIB,
    });
  });
}

/** The 1,000-agent swarm, in this process. */
async function thousand(): Promise<void> {
  await withServer(LARGE_LIMITS, async (h, cwd) => {
    const api = await startApiProcess(h.address, h.taskQueue);
    const per = agentsPerSwarm(LARGE);
    try {
      await orchestraSwarm(h, 2, 0, cwd); // warm-up
      const atRest = await restingGets(h, api);
      if (per < LARGE)
        console.log(
          `  a parallel swarm spec holds at most ${per} agents: ${LARGE} agents run as ${Math.ceil(LARGE / per)} swarms started at once`,
        );
      const {
        result: run,
        before: rssBefore,
        peak: rssPeak,
      } = await sampleRss(() =>
        orchestraSwarm(h, LARGE, 1000, cwd, (swarms) => {
          // Agent ids are <swarm>.<n>, n from 1.
          api.poll(
            swarms.flatMap((s, i) =>
              Array.from({ length: Math.min(per, LARGE - i * per) }, (_, n) => `${s}.${n + 1}`),
            ),
          );
        }),
      );
      const during = await api.stop();
      printLine(
        'Orchestra swarm',
        LARGE,
        1000,
        run.wall,
        run.timedOut
          ? `gave up after ${(run.wall / 1000).toFixed(0)} s, ${run.completed ?? '?'}/${LARGE} done`
          : `swarm-reported speedup ${run.speedup === undefined ? '(several swarms)' : `${run.speedup}x`}`,
      );
      // Measured by the parent (its server idle by then), so they count neither in this process's
      // RSS nor against a worker still busy with the swarm; run here only when started alone.
      let plain = Number(process.env.BENCH_PLAIN_1000_MS);
      if (!plain) {
        plain = await plainSwarm(h, LARGE, 1000, cwd);
        printLine('plain loops', LARGE, 1000, plain);
      }
      // The same agents with no swarm above them: what the swarm's own bookkeeping costs.
      const alone = await clientStarted(h, LARGE, 1000, cwd);
      printLine('agents, no swarm', LARGE, 1000, alone, 'each started by the client');
      console.log(
        `  RSS of this process (worker, client, scripted server): ${mib(rssBefore)} before the swarm,` +
          ` ${mib(rssPeak)} at peak (sampled every 250 ms)`,
      );
      console.log(
        `  GET /api/v1/agents/:id of random agents, ${GETS_PER_SECOND}/s, while it ran: ${describePoll(during)}`,
      );
      console.log(`  the same GET of one running agent, the worker otherwise idle: ${describePoll(atRest)}`);

      const parts = per < LARGE ? ` (${Math.ceil(LARGE / per)} swarms of ≤ ${per}, the spec's limit)` : '';
      swarmRow(run, LARGE, 1000, 'plain loop', plain, 6, parts, ' (LangGraph.js: 9.4x)');
      addRow({
        figure: `${label(LARGE, 1000)}: the swarm vs the same agents each started by a client, no swarm above them`,
        baseline: `no swarm ${times(alone / 3000)}`,
        orchestra: times(run.wall / 3000),
        ratio: times(run.wall / alone),
        target: '—',
      });
      addRow({
        figure:
          `${label(LARGE, 1000)}: RSS peak of the bench process running it, V8's default heap` +
          ' (worker + client + scripted server)',
        baseline: `before the swarm ${mib(rssBefore)}`,
        orchestra: mib(rssPeak),
        ratio: '—',
        target: '—',
      });
      const p99 = quantile(during.latencies, 0.99);
      const idle99 = quantile(atRest.latencies, 0.99);
      addRow({
        figure: `${label(LARGE, 1000)}: GET /agents/:id of its agents while it runs (${GETS_PER_SECOND}/s; API in a process of its own), p99 (p50 / max, failed, partial)`,
        baseline: `worker idle ${ms(idle99)}`,
        orchestra: `${ms(p99)} (${ms(quantile(during.latencies, 0.5))} / ${ms(max(during.latencies))}, ${during.failures} of ${during.latencies.length + during.failures}, ${during.partial ?? 0} partial)`,
        ratio: times(p99 / idle99),
        target: `≤ ${API_P99_TARGET_MS} ms`,
        met: during.failures === 0 && p99 <= API_P99_TARGET_MS,
      });
    } finally {
      api.close();
    }
  });
}

/** `n` agents of the swarm's task, each started by the client (50 at a time), none a child: wall ms. */
async function clientStarted(h: Harness, n: number, latency: number, cwd: string): Promise<number> {
  const task = threeTurnTask(h, latency);
  const started = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, () =>
      spawnAgent(h.client, h.defaults, { task, cwd }),
    );
    ids.push(...(await Promise.all(batch)).map((a) => a.id));
  }
  for (let i = 0; i < ids.length; i += 100) {
    const done = await Promise.all(ids.slice(i, i + 100).map((id) => waitForAgent(h.client, id)));
    const failed = done.find((r) => r.status !== 'completed');
    if (failed) throw new Error(`agent ${failed.id} ${failed.status}: ${failed.error}`);
  }
  return performance.now() - started;
}

/** GET /agents/:id of one running agent (its model call long), for a while: the API at rest. */
async function restingGets(
  h: Harness,
  api: Awaited<ReturnType<typeof startApiProcess>>,
): Promise<PollResult> {
  const id = await h.spawn({ task: h.busyTask(600_000) });
  try {
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    api.poll([id]);
    await new Promise((r) => setTimeout(r, settings.quick ? 2000 : 5000));
    return await api.stop();
  } finally {
    await h.client.workflow
      .getHandle(agentWorkflowId(id))
      .terminate('the bench is done with it')
      .catch(() => undefined);
  }
}

const heapMb = Number(process.env.BENCH_1000_HEAP_MB);
(heapMb ? thousandHeapCapped(heapMb) : thousand()).then(
  () => process.send?.({ rows }, () => process.disconnect()),
  (err) => {
    console.error(err);
    process.exitCode = 1;
    process.send?.({ rows }, () => process.disconnect());
  },
);
