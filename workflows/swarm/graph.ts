/**
 * graphSwarm: subtasks with dependencies, given in the spec or planned by a planner agent.
 * Each subtask is an agent that starts as soon as the subtasks it depends on are done (at most
 * `maxConcurrent` at once) and receives their results; a failure stops the graph or skips what
 * depends on it, as the spec says.
 */
import type { AgentConfig } from '../../src/domain/agent';
import {
  criticalPath,
  graphStages,
  sinks,
  startable,
  unreachable,
  type GraphNode,
  type GraphSpec,
  type GraphView,
  type NodeStatus,
} from '../../src/domain/graph';
import { nodePrompt } from '../../src/domain/graph-prompts';
import type { SwarmInput } from '../../src/domain/swarm';
import type { SwarmAgent, SwarmOutcome, SwarmStats } from '../../src/domain/swarm-outcome';
import { duration } from './parallel';
import { Collapse } from './collapse';
import { planGraph } from './planner';
import { runSwarm, SwarmStopped, type SwarmRun, type StrategyOutcome } from './run';

export function graphSwarm(input: SwarmInput): Promise<SwarmOutcome> {
  return runSwarm<GraphSpec>(input, 'graph', runGraph);
}

async function runGraph(swarm: SwarmRun, spec: GraphSpec): Promise<StrategyOutcome> {
  const planned = await planGraph(swarm, spec);
  if ('error' in planned) return { status: 'failed', error: planned.error, criticalPathMs: planned.ms };
  // Weak subtasks may be collapsed while they run (the planner, before them, never is).
  const collapse = Collapse.start(swarm, spec.collapse);
  const graph = new Graph(swarm, spec, planned.nodes, planned.plannedBy, collapse);
  swarm.viewGraph(() => graph.view());
  try {
    await graph.run();
  } finally {
    await collapse?.stop();
  }
  return graph.outcome(planned.ms);
}

/** One graph's run: each subtask's status, agent and result. */
class Graph {
  private readonly status: Map<string, NodeStatus>;
  private readonly reasons = new Map<string, string>();
  private readonly agents = new Map<string, SwarmAgent>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly stages: Map<string, number>;
  private stoppedBy?: string;
  /** The subtask whose failure stopped the graph (under "fail"). */
  private stoppedAt?: string;
  /** What every subtask's agent needs for collapse (reports often enough to be scored). */
  private readonly memberConfig: Partial<AgentConfig>;

  constructor(
    private readonly swarm: SwarmRun,
    private readonly spec: GraphSpec,
    private readonly nodes: GraphNode[],
    private readonly plannedBy?: GraphView['plannedBy'],
    private readonly collapse?: Collapse,
  ) {
    this.status = new Map(nodes.map((n) => [n.id, 'pending' as NodeStatus]));
    this.stages = graphStages(nodes);
    this.memberConfig = Collapse.memberConfig(swarm, spec.collapse);
  }

  async run(): Promise<void> {
    for (;;) {
      this.skipUnreachable();
      if (!this.swarm.stopped && !this.stoppedBy)
        for (const id of startable(this.nodes, this.status, this.spec.maxConcurrent - this.running.size))
          this.start(this.nodes.find((n) => n.id === id)!);
      if (this.running.size === 0) break;
      await Promise.race(this.running.values());
    }
    // Stopped (a failure under "fail", a cancel, a budget): what never started, never will.
    for (const [id, s] of this.status)
      if (s === 'pending')
        this.mark(
          id,
          'skipped',
          this.stoppedBy ?? (this.swarm.stopped ? 'the swarm stopped' : 'not reached'),
        );
  }

  private start(node: GraphNode): void {
    this.mark(node.id, 'running');
    const inputs = node.dependsOn.map((d) => ({ id: d, output: this.agents.get(d)?.result ?? '' }));
    const started = this.swarm.runAgent(
      this.template(node),
      nodePrompt(this.spec.task, node, inputs),
      node.id,
      this.memberConfig,
      { isolate: true },
    );
    // No extra step without collapse: dependants keep their place in older histories.
    const collapse = this.collapse;
    const run = (collapse ? started.then((agent) => collapse.settled(agent)) : started)
      .then(
        async (agent) => {
          this.agents.set(node.id, agent);
          if (agent.status !== 'completed')
            return this.failed(node.id, agent.status === 'cancelled' ? 'cancelled' : 'failed', agent.error);
          // In worktrees, its work joins the swarm's branch before what depends on it forks from there.
          const landed = await this.swarm.merge(agent);
          if (landed === 'conflict' || landed === 'kept')
            return this.failed(
              node.id,
              'failed',
              landed === 'conflict'
                ? `its work conflicts with the swarm's branch (kept on ${agent.branch})`
                : `its work could not join the swarm's branch (kept on ${agent.branch})`,
            );
          this.mark(node.id, 'completed');
        },
        (err: unknown) => {
          // Stopped before it could start: the swarm's own stop says why.
          if (!(err instanceof SwarmStopped)) throw err;
          this.mark(node.id, 'skipped', err.message);
        },
      )
      .finally(() => this.running.delete(node.id));
    this.running.set(node.id, run);
  }

  /** The node's own fields over the spec's worker; the graph's fields are not the agent's. */
  private template(node: GraphNode) {
    const { id, task: _task, dependsOn: _deps, specialty: _specialty, ...own } = node;
    const { worker } = this.spec;
    return { ...worker, ...own, name: own.name ?? id, limits: { ...worker.limits, ...own.limits } };
  }

  private failed(id: string, status: 'failed' | 'cancelled', error?: string): void {
    this.mark(id, status, error);
    if (this.spec.onFailure !== 'fail' || this.stoppedBy || this.swarm.stopped) return;
    this.stoppedBy = `subtask "${id}" ${status}`;
    this.stoppedAt = id;
    for (const other of this.running.keys()) {
      const agent = this.swarm.agents.find((a) => a.role === other && !a.endedAt);
      if (agent) this.swarm.cancelAgent(agent.id, this.stoppedBy);
    }
  }

  private skipUnreachable(): void {
    for (
      let dead = unreachable(this.nodes, this.status);
      dead.length;
      dead = unreachable(this.nodes, this.status)
    )
      for (const { id, because } of dead) this.mark(id, 'skipped', `"${because}" did not complete`);
  }

  private mark(id: string, status: NodeStatus, reason?: string): void {
    this.status.set(id, status);
    if (reason) this.reasons.set(id, reason);
    this.swarm.showDetails();
  }

  private durations(): Map<string, number> {
    return new Map([...this.agents].map(([id, agent]) => [id, duration(agent)]));
  }

  view(): GraphView {
    const started = new Map(this.swarm.agents.map((a) => [a.role, a]));
    const done = [...this.status.values()].every((s) => s !== 'pending' && s !== 'running');
    return {
      nodes: this.nodes.map((n) => {
        const agent = this.agents.get(n.id) ?? started.get(n.id);
        const reason = this.reasons.get(n.id);
        return {
          id: n.id,
          name: n.name ?? n.id,
          dependsOn: n.dependsOn,
          stage: this.stages.get(n.id) ?? 1,
          status: this.status.get(n.id) ?? 'pending',
          ...(agent ? { agentId: agent.id } : {}),
          ...(agent?.endedAt ? { durationMs: duration(agent) } : {}),
          ...(reason ? { reason } : {}),
        };
      }),
      maxConcurrent: this.spec.maxConcurrent,
      onFailure: this.spec.onFailure,
      ...(this.plannedBy ? { plannedBy: this.plannedBy } : {}),
      ...(done ? { criticalPath: criticalPath(this.nodes, this.durations()) } : {}),
    };
  }

  /** The results of the subtasks nothing depends on, and the graph's stats. */
  outcome(planMs: number): StrategyOutcome {
    const path = criticalPath(this.nodes, this.durations());
    const outputs = this.nodes.map((n) => ({
      node: n.id,
      agent: this.agents.get(n.id)?.id,
      status: this.status.get(n.id),
      ...(this.reasons.has(n.id) ? { reason: this.reasons.get(n.id) } : {}),
    }));
    const plan = {
      criticalPathMs: planMs + path.ms,
      criticalPathSteps: path.steps,
      stages: this.stageStats(),
    };
    const merge = { merge: 'graph', criticalPath: path.path, outputs };
    const completed = [...this.status.values()].filter((s) => s === 'completed').length;
    // The subtask to name: the one that stopped the graph, else the first not completed.
    const failedOne =
      this.nodes.find((n) => n.id === this.stoppedAt) ??
      this.nodes.find((n) => this.status.get(n.id) !== 'completed');
    const allDone = failedOne === undefined;
    if (!allDone && (this.spec.onFailure === 'fail' || completed === 0)) {
      const why = this.stoppedBy ?? `subtask "${failedOne.id}" ${this.status.get(failedOne.id)}`;
      const detail = this.reasons.get(failedOne.id);
      return {
        status: 'failed',
        error: `${why}${detail && !why.includes(detail) ? `: ${detail}` : ''}`,
        merge,
        ...plan,
      };
    }
    const ends = sinks(this.nodes);
    const result =
      ends.length === 1 && allDone
        ? (this.agents.get(ends[0])?.result ?? '')
        : ends
            .map((id) => {
              const s = this.status.get(id);
              const body =
                s === 'completed'
                  ? (this.agents.get(id)?.result ?? '')
                  : `(${s}: ${this.reasons.get(id) ?? ''})`;
              return `## ${id}\n${body}`;
            })
            .join('\n\n');
    return { status: 'completed', result, merge, ...plan };
  }

  /** Per stage: its subtasks that ran, from the first start to the last end, their tools and tokens. */
  private stageStats(): NonNullable<SwarmStats['stages']> {
    const count = Math.max(0, ...this.stages.values());
    return Array.from({ length: count }, (_, i) => {
      const ran = this.nodes
        .filter((n) => this.stages.get(n.id) === i + 1)
        .flatMap((n) => this.agents.get(n.id) ?? []);
      const start = Math.min(...ran.map((a) => Date.parse(a.startedAt)));
      const end = Math.max(...ran.map((a) => Date.parse(a.endedAt ?? a.startedAt)));
      return {
        name: `stage ${i + 1}`,
        agents: ran.length,
        durationMs: ran.length ? end - start : 0,
        toolCalls: ran.reduce((n, a) => n + a.usage.toolCalls, 0),
        tokens: ran.reduce((n, a) => n + a.usage.tokens.input + a.usage.tokens.output, 0),
      };
    });
  }
}
