/**
 * `npm run bench` (second part): the wall time of a parallel swarm of N agents of 3 turns
 * each, against its critical path 3L, for the scripted model with a fixed latency L.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSwarm, waitForSwarm } from '../../src/temporal/swarms';
import { startHarness } from '../helpers/harness';
import { startScratchServer } from '../helpers/scratch-server';

const LATENCY_MS = 250;
const SIZES = [10, 100];

export async function swarmScale(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-bench-'));
  const server = await startScratchServer(dir);
  // Concurrency well above the swarm size: this measures orchestration, not the provider limit.
  const h = await startHarness({
    address: server.address,
    modelLimits: { modelConcurrency: 200 },
    workerOverrides: { maxConcurrentActivityTaskExecutions: 200, maxCachedWorkflows: 1000 },
  });
  const turn = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: LATENCY_MS };
  const task = h.script([turn, turn, { text: 'done', delayMs: LATENCY_MS }], { task: 'bench' });
  const { client } = h;
  try {
    console.log(
      `\nparallel swarm, 3 turns per agent, scripted model latency L = ${LATENCY_MS} ms (critical path 3L = ${3 * LATENCY_MS} ms)`,
    );
    console.log('agents | wall time | wall / 3L | swarm-reported speedup');
    for (const size of SIZES) {
      const started = performance.now();
      const { id } = await startSwarm(client, h.defaults, {
        spec: {
          strategy: 'parallel',
          task,
          merge: 'all',
          agents: Array.from({ length: size }, () => ({})),
        },
        cwd: dir,
        budgets: { maxSubagents: 1000 },
      });
      const out = await waitForSwarm(client, id);
      const wall = performance.now() - started;
      if (out.stats.completed !== size)
        throw new Error(`only ${out.stats.completed} of ${size} agents completed: ${out.error}`);
      console.log(
        `${String(size).padStart(6)} | ${(wall / 1000).toFixed(2).padStart(7)} s | ${(wall / (3 * LATENCY_MS)).toFixed(2).padStart(8)}x | ${out.stats.speedup}x`,
      );
    }
  } finally {
    await h.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
