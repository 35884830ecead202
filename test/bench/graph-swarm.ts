/**
 * `npm run bench`, part "graph": the wall time of a graph swarm of 12 subtasks in 4 stages
 * (one, fanned out to five, five that each join two of those, one that joins all), each subtask
 * one model call of fixed latency L, against its critical path: the ideal 4L, and the chain the
 * swarm itself measured (stats.criticalPathMs). Beside it the same graph orchestrated by a client
 * (each subtask started when its dependencies are done, the same maxConcurrent), its subtasks as
 * plain in-process loops and as minimal Temporal loops on the same server. Once with room for
 * every subtask, once with maxConcurrent 2, where the bound is the schedule's 7L.
 */
import { loadavg } from 'node:os';
import { nodePrompt, startable, type GraphNode, type NodeStatus, type SwarmOutcome } from '../../src/domain';
import { startSwarm, waitForSwarm } from '../../src/temporal/swarms';
import type { Harness } from '../helpers/harness';
import { startMinimalWorker, type MinimalWorker } from './minimal';
import { plainClient, plainLoop } from './plain-loop';
import { addRow, settings, times } from './report';
import { withServer } from './server';

type Node = Pick<GraphNode, 'id' | 'task' | 'dependsOn'>;

const WIDTH = 5;
const REPLY = 'done';
const REPEATS = settings.quick ? 1 : 3;
/** Room for every subtask at once: only the dependencies limit the graph. */
const ALL = 12;
const VARIANTS = [
  { latency: 250, maxConcurrent: ALL },
  { latency: 1000, maxConcurrent: ALL },
  { latency: 1000, maxConcurrent: 2 },
];

/** plan → a1..a5 → b1..b5 (b<i> joins a<i> and a<i+1>) → join. */
export function fanOutFanIn(): Node[] {
  const n = (id: string, dependsOn: string[]): Node => ({ id, task: `subtask ${id}`, dependsOn });
  const a = Array.from({ length: WIDTH }, (_, i) => n(`a${i + 1}`, ['plan']));
  const b = a.map((_, i) => n(`b${i + 1}`, [a[i].id, a[(i + 1) % WIDTH].id]));
  return [
    n('plan', []),
    ...a,
    ...b,
    n(
      'join',
      b.map((x) => x.id),
    ),
  ];
}

/**
 * Rounds of L the graph needs when every subtask takes L and at most `maxConcurrent` run at once,
 * started in the graph's order as the swarm starts them: its stages when nothing else limits it.
 */
export function boundInRounds(nodes: Node[], maxConcurrent: number): number {
  const status = new Map<string, NodeStatus>(nodes.map((n) => [n.id, 'pending']));
  let rounds = 0;
  for (; [...status.values()].includes('pending'); rounds++)
    for (const id of startable(nodes, status, maxConcurrent)) status.set(id, 'completed');
  return rounds;
}

/** The graph run by a client: each subtask by `run` once its dependencies are done; returns the wall time. */
async function clientGraph(
  nodes: Node[],
  task: string,
  maxConcurrent: number,
  run: (prompt: string) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  const status = new Map<string, NodeStatus>(nodes.map((n) => [n.id, 'pending']));
  const running = new Map<string, Promise<void>>();
  for (;;) {
    for (const id of startable(nodes, status, maxConcurrent - running.size)) {
      const node = nodes.find((n) => n.id === id)!;
      status.set(id, 'running');
      const inputs = node.dependsOn.map((d) => ({ id: d, output: REPLY }));
      const done = run(nodePrompt(task, node, inputs)).then(() => {
        status.set(id, 'completed');
        running.delete(id);
      });
      running.set(id, done);
    }
    if (running.size === 0) return performance.now() - started;
    await Promise.race(running.values());
  }
}

interface SwarmRun {
  wall: number;
  out: SwarmOutcome;
}

async function graphSwarm(h: Harness, nodes: Node[], task: string, maxConcurrent: number, cwd: string) {
  const started = performance.now();
  const { id } = await startSwarm(h.client, h.defaults, {
    spec: { strategy: 'graph', task, maxConcurrent, nodes },
    cwd,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`graph swarm ${id} still running after the bench's timeout`)),
      settings.swarmTimeoutMs(nodes.length),
    );
  });
  try {
    const out = await Promise.race([waitForSwarm(h.client, id), deadline]);
    if (out.status !== 'completed' || out.stats.completed !== nodes.length)
      throw new Error(
        `graph swarm ${id} ${out.status}: ${out.stats.completed} completed, ${out.error ?? ''}`,
      );
    return { wall: performance.now() - started, out } satisfies SwarmRun;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Per subtask started after the first: from the end that let it start (its last input's, or the
 * one that freed its slot) to its start, by the swarm's own clock, in ms: the swarm's workflow
 * task, the child's start, the next task. The swarm's scheduling replayed on its agents' ends.
 */
function hops(out: SwarmOutcome, maxConcurrent: number): number[] {
  const at = (iso?: string) => (iso ? Date.parse(iso) : NaN);
  const nodes = out.graph?.nodes ?? [];
  const agent = new Map(out.agents.map((a) => [a.role, a]));
  const status = new Map<string, NodeStatus>(nodes.map((n) => [n.id, 'pending']));
  let running = 0;
  const release = (t: number) =>
    startable(nodes, status, maxConcurrent - running).map((id) => {
      status.set(id, 'running');
      running++;
      return at(agent.get(id)?.startedAt) - t;
    });
  release(NaN);
  return [...out.agents]
    .sort((a, b) => at(a.endedAt) - at(b.endedAt))
    .flatMap((a) => {
      status.set(a.role, 'completed');
      running--;
      return release(at(a.endedAt));
    });
}

const load = () =>
  loadavg()
    .slice(0, 2)
    .map((x) => x.toFixed(1))
    .join(' / ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (x: number) => `${(x / 1000).toFixed(2)} s`;
const latencyLabel = (l: number) => (l >= 1000 ? `${l / 1000} s` : `${l} ms`);

async function variant(
  h: Harness,
  minimal: MinimalWorker,
  cwd: string,
  latency: number,
  maxConcurrent: number,
): Promise<void> {
  const nodes = fanOutFanIn();
  const rounds = boundInRounds(nodes, maxConcurrent);
  const ideal = rounds * latency;
  const sdk = plainClient(h.model.url);
  const plain: number[] = [];
  const floor: number[] = [];
  const runs: SwarmRun[] = [];
  // Interleaved, so that whatever else loads the machine weighs on all three alike.
  for (let i = 0; i < REPEATS; i++) {
    const task = () => h.script([{ text: REPLY, delayMs: latency }], { task: 'bench graph' });
    plain.push(await clientGraph(nodes, task(), maxConcurrent, (p) => plainLoop(sdk, p, cwd)));
    floor.push(await clientGraph(nodes, task(), maxConcurrent, (p) => minimal.run(p, cwd, 10)));
    runs.push(await graphSwarm(h, nodes, task(), maxConcurrent, cwd));
  }
  const run = [...runs].sort((a, b) => a.wall - b.wall)[Math.floor(runs.length / 2)];
  const { stats } = run.out;
  const [p, f] = [median(plain), median(floor)];
  const hop = hops(run.out, maxConcurrent);
  const hopText = `end → the start it allows ${median(hop).toFixed(0)} ms (max ${Math.max(...hop).toFixed(0)})`;
  const bound = `${rounds}L`;
  const steps = stats.criticalPathSteps ?? 0;
  const what = `graph swarm, ${nodes.length} subtasks in ${steps} stages, ${latencyLabel(latency)} model, maxConcurrent ${maxConcurrent}`;
  console.log(
    `${String(latency).padStart(6)} ms | ${String(maxConcurrent).padStart(13)} | ${bound.padStart(5)} |` +
      ` ${secs(p).padStart(9)} | ${secs(f).padStart(9)} | ${secs(run.wall).padStart(9)} |` +
      ` ${secs(stats.criticalPathMs).padStart(13)} | ${times(run.wall / stats.criticalPathMs).padStart(11)} |` +
      ` ${times(stats.speedup).padStart(7)} (ideal ${times((nodes.length * latency) / ideal)})` +
      `  [${hopText}; swarm walls ${runs.map((r) => secs(r.wall)).join(', ')}]`,
  );
  for (const [base, wall] of [
    ['plain loops', p],
    ['minimal loops', f],
  ] as const)
    addRow({
      figure: `${what}: wall / ${maxConcurrent < WIDTH ? 'its schedule' : 'critical path'} ${bound}, vs ${base} run by a client`,
      baseline: `${base} ${times(wall / ideal)}`,
      orchestra: times(run.wall / ideal),
      ratio: times(run.wall / wall),
      target: '—',
    });
  addRow({
    figure: `${what}: wall / its own critical path (stats.criticalPathMs); speedup (agent time / wall); the end that lets a subtask start → its start (swarm's clock, median)`,
    baseline: `ideal ${times(rounds / steps)}, speedup ${times((nodes.length * latency) / ideal)} (its path ${times(stats.criticalPathMs / (steps * latency))} of ${steps}L)`,
    orchestra: `${times(run.wall / stats.criticalPathMs)}; speedup ${times(stats.speedup)}; ${hopText}`,
    ratio: '—',
    target: '—',
  });
}

export async function graphSwarmSpeed(): Promise<void> {
  console.log(
    `\ngraph swarms of ${fanOutFanIn().length} subtasks in 4 stages (1 → ${WIDTH} → ${WIDTH} → 1), one model call of L each;` +
      ` beside them the same graph run by a client as plain loops and as minimal Temporal loops; median of ${REPEATS}`,
  );
  console.log(`(load average over the last 1 / 5 minutes: ${load()})`);
  console.log(
    'latency L | maxConcurrent | bound | plain     | minimal   | swarm     | critical path | wall / path | speedup',
  );
  await withServer({}, async (h, cwd) => {
    const minimal = await startMinimalWorker(h);
    try {
      // Warm-up: bundles, connections, JIT.
      const warm = fanOutFanIn().slice(0, 2);
      const task = h.script([{ text: REPLY }], { task: 'bench graph', repeatLast: true });
      await graphSwarm(h, warm, task, ALL, cwd);
      await clientGraph(warm, task, ALL, (p) => minimal.run(p, cwd, 10));
      for (const { latency, maxConcurrent } of VARIANTS)
        await variant(h, minimal, cwd, latency, maxConcurrent);
      console.log(`(load average over the last 1 / 5 minutes: ${load()})`);
    } finally {
      await minimal.stop();
    }
  });
}
