/**
 * `npm run bench`: every speed figure of Orchestra beside its baseline, measured in one run on
 * this machine, each part on a fresh dev server; at the end, one markdown table of them all.
 *
 *   turn        per-turn time: plain loop, minimal Temporal loop, Orchestra agent (0 and 50 ms model)
 *   swarm       parallel swarms of 100 (250 ms, 1 s) and 1,000 agents (1 s) against 3L; live view
 *   graph       a graph swarm of 12 subtasks in 4 stages (250 ms, 1 s; maxConcurrent 2) against its critical path
 *   governance  what hooks, pricing and policy cost per turn
 *   history     history bytes of a 50-turn agent, per turn early and late
 *   api         the control API's latency against a Temporal client's
 *   feed        what the feed costs the Temporal server: 1,000 finished agents, 100 running; 0, 1, 10 connections
 *   scene       the dashboard's 3D view: fps with 25, 100 and 200 agents in headless Chromium
 *   list        the dashboard's agent list: frame p95 scrolled and sort time with 30, 200 and 2,000 agents
 *   limits      the model-call limiter: agents against a model answering 429 with retry-after, against a clean one
 *
 * BENCH_ONLY=turn,swarm,... picks parts; BENCH_SKIP_1000=1 skips the 1,000-agent swarm;
 * BENCH_QUICK=1 runs small sizes (10 and 50 agents, fewer repeats; the feed: 10 running, 100 finished)
 * to check that it all works.
 */
import { agentListSmoothness } from './agent-list';
import { apiLatency } from './api-latency';
import { cliStart } from './cli-start';
import { feedCost } from './feed-cost';
import { graphSwarmSpeed } from './graph-swarm';
import { governanceOverhead } from './governance';
import { historySize } from './history-size';
import { limiterSlowdown } from './limiter';
import { addRow, machine, PARTS, settings, table, type Part } from './report';
import { sceneFps } from './scene-3d';
import { swarmScale } from './swarm-scale';
import { turnOverhead } from './turn-overhead';

const RUN: Record<Part, () => Promise<void>> = {
  turn: turnOverhead,
  swarm: swarmScale,
  graph: graphSwarmSpeed,
  governance: governanceOverhead,
  history: historySize,
  api: apiLatency,
  feed: feedCost,
  scene: sceneFps,
  list: agentListSmoothness,
  limits: limiterSlowdown,
  cli: cliStart,
};

async function main(): Promise<void> {
  const started = performance.now();
  const parts = PARTS.filter((p) => settings.parts.has(p));
  const mode = [
    settings.quick ? 'quick (BENCH_QUICK: small sizes, not the figures of record)' : 'full',
    settings.skip1000 ? 'the 1,000-agent swarm skipped' : '',
  ].filter(Boolean);
  console.log(`machine: ${machine()}`);
  console.log(`parts: ${parts.join(', ')}; ${mode.join('; ')}`);
  let failed = false;
  for (const part of parts) {
    const t = performance.now();
    try {
      await RUN[part]();
    } catch (err) {
      failed = true;
      console.error(`\nthe ${part} part failed:`, err);
      const message = (err as Error).message ?? String(err);
      addRow({
        figure: `(the ${part} part)`,
        baseline: '—',
        orchestra: `failed: ${message.split('\n')[0].slice(0, 120)}`,
        ratio: '—',
        target: 'runs',
        met: false,
      });
    }
    console.log(`(${part}: ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  console.log(`\n## Orchestra bench${settings.quick ? ' (quick)' : ''}\n`);
  console.log(`Machine: ${machine()}. Total ${((performance.now() - started) / 1000).toFixed(0)} s.\n`);
  console.log(table());
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
