/**
 * Task graphs: subtasks with ids and dependencies, the stages they fall into, which may start
 * next, and the critical path once they ran. Pure: the graph swarm (workflows/swarm/graph.ts)
 * and the API's validation share it.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { collapseSchema } from './collapse';
import { agentTemplateSchema } from './agent-template';

export const GRAPH_NODE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const nodeId = () =>
  z.string().regex(GRAPH_NODE_ID, 'a letter, then letters, digits, "_" or "-" (at most 40 in all)');

/** How a planner splits a task: by area of concern, by share of the data, by stage; or not at all. */
export const DECOMPOSITIONS = ['domain', 'data', 'stage', 'none'] as const;
export type Decomposition = (typeof DECOMPOSITIONS)[number];

/** What a failed subtask does to its dependants: fails the graph at once, or skips them and lets the rest run. */
export const ON_FAILURE = ['fail', 'skip'] as const;

const nodeFields = () => ({
  id: nodeId().describe('Names the subtask; other subtasks name it in dependsOn'),
  task: z.string().min(1).max(100_000).describe('What this subtask does'),
  dependsOn: z
    .array(nodeId())
    .max(50)
    .default([])
    .describe('Subtasks whose results this one needs: it starts when they are done'),
  specialty: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('What kind of specialist does it ("tests", "frontend", ...)'),
});

/** A subtask given in the spec: an agent template with an id and its dependencies. */
export const graphNodeSchema = lazy(() => agentTemplateSchema.extend(nodeFields()).strict());
export type GraphNode = z.infer<typeof graphNodeSchema>;

/** What a planner agent must emit: the subtasks only (its own extra fields are dropped). */
export const planSchema = lazy(() => z.object({ nodes: z.array(z.object(nodeFields())).min(1).max(50) }));

const task = lazy(() => z.string().min(1).max(100_000).describe('What the swarm works on'));

export const graphSpecSchema = lazy(() =>
  z
    .object({
      strategy: z.literal('graph'),
      task,
      nodes: z
        .array(graphNodeSchema)
        .min(1)
        .max(200)
        .optional()
        .describe('The graph, given whole; without it a planner agent decomposes the task'),
      planner: z
        .object({
          by: z.enum(DECOMPOSITIONS).default('domain'),
          agent: agentTemplateSchema.optional().describe('The planner (default: read-only tools)'),
          maxNodes: z.number().int().min(1).max(50).default(8),
        })
        .strict()
        .optional()
        .describe('How the task is decomposed when no nodes are given'),
      worker: agentTemplateSchema
        .omit({ task: true })
        .default({})
        .describe("What every subtask's agent is, unless its node says otherwise"),
      maxConcurrent: z.number().int().min(1).max(100).default(4).describe('Subtasks running at once'),
      onFailure: z.enum(ON_FAILURE).default('fail'),
      collapse: collapseSchema.optional().describe('Score the subtasks as they run and cancel the weak ones'),
    })
    .strict()
    .superRefine((spec, ctx) => {
      if (spec.nodes && spec.planner)
        ctx.addIssue({ code: 'custom', message: 'give nodes or a planner, not both', path: ['planner'] });
      for (const message of graphProblems(spec.nodes ?? []))
        ctx.addIssue({ code: 'custom', message, path: ['nodes'] });
    }),
);
export type GraphSpec = z.infer<typeof graphSpecSchema>;

type Edges = Pick<GraphNode, 'id' | 'dependsOn'>;

/** Why a graph cannot run: duplicate ids, unknown or own dependencies, a cycle. Empty when it can. */
export function graphProblems(nodes: Edges[]): string[] {
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const n of nodes) {
    // The planner agent's role: a subtask of that name would be taken for it.
    if (n.id === 'planner') problems.push('"planner" is the planner\'s name: give the subtask another id');
    if (ids.has(n.id)) problems.push(`subtask "${n.id}" is given twice`);
    ids.add(n.id);
  }
  for (const n of nodes)
    for (const d of n.dependsOn) {
      if (d === n.id) problems.push(`subtask "${n.id}" depends on itself`);
      else if (!ids.has(d)) problems.push(`subtask "${n.id}" depends on "${d}", which is not in the graph`);
    }
  if (problems.length) return problems;
  const cycle = findCycle(nodes);
  return cycle ? [`the dependencies go round in a circle: ${cycle.join(' → ')}`] : [];
}

function findCycle(nodes: Edges[]): string[] | undefined {
  const deps = new Map(nodes.map((n) => [n.id, n.dependsOn]));
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...trail.slice(trail.indexOf(id)), id];
    state.set(id, 'open');
    trail.push(id);
    for (const d of deps.get(id) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    trail.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const n of nodes) {
    const found = visit(n.id);
    if (found) return found;
  }
  return undefined;
}

/** Each subtask's stage: 1 with no dependencies, else one past its latest dependency's. */
export function graphStages(nodes: Edges[]): Map<string, number> {
  const deps = new Map(nodes.map((n) => [n.id, n.dependsOn]));
  const stage = new Map<string, number>();
  const of = (id: string): number => {
    const known = stage.get(id);
    if (known !== undefined) return known;
    const s = 1 + Math.max(0, ...(deps.get(id) ?? []).map(of));
    stage.set(id, s);
    return s;
  };
  nodes.forEach((n) => of(n.id));
  return stage;
}

export const NODE_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** The pending subtasks whose dependencies are all done, in the graph's order, as many as may start. */
export function startable(nodes: Edges[], status: ReadonlyMap<string, NodeStatus>, room: number): string[] {
  return nodes
    .filter((n) => status.get(n.id) === 'pending')
    .filter((n) => n.dependsOn.every((d) => status.get(d) === 'completed'))
    .slice(0, Math.max(0, room))
    .map((n) => n.id);
}

/** Pending subtasks that can never start, with the dependency that stopped each. */
export function unreachable(
  nodes: Edges[],
  status: ReadonlyMap<string, NodeStatus>,
): Array<{ id: string; because: string }> {
  const dead = (s: NodeStatus | undefined) => s === 'failed' || s === 'skipped' || s === 'cancelled';
  return nodes.flatMap((n) => {
    if (status.get(n.id) !== 'pending') return [];
    const because = n.dependsOn.find((d) => dead(status.get(d)));
    return because ? [{ id: n.id, because }] : [];
  });
}

/** The subtasks no other depends on: their results are the graph's. */
export function sinks(nodes: Edges[]): string[] {
  const needed = new Set(nodes.flatMap((n) => n.dependsOn));
  return nodes.filter((n) => !needed.has(n.id)).map((n) => n.id);
}

export interface CriticalPath {
  /** The chain of subtasks that took longest, first to last. */
  path: string[];
  ms: number;
  /** The longest chain counted in subtasks: the number of stages. */
  steps: number;
}

/** The longest chain through the graph by each subtask's own time (0 for those that did not run). */
export function criticalPath(nodes: Edges[], durationMs: ReadonlyMap<string, number>): CriticalPath {
  const deps = new Map(nodes.map((n) => [n.id, n.dependsOn]));
  const best = new Map<string, { ms: number; path: string[] }>();
  const of = (id: string): { ms: number; path: string[] } => {
    const known = best.get(id);
    if (known) return known;
    const before = (deps.get(id) ?? []).map(of).reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, path: [] });
    const mine = { ms: before.ms + (durationMs.get(id) ?? 0), path: [...before.path, id] };
    best.set(id, mine);
    return mine;
  };
  const longest = nodes.map((n) => of(n.id)).reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, path: [] });
  const stages = graphStages(nodes);
  return { ...longest, steps: Math.max(0, ...stages.values()) };
}

/** One subtask as the swarm's query shows it. */
export interface GraphNodeView {
  id: string;
  name: string;
  dependsOn: string[];
  stage: number;
  status: NodeStatus;
  /** The agent that ran it, once started. */
  agentId?: string;
  durationMs?: number;
  /** Why it failed, was skipped or cancelled. */
  reason?: string;
}

export interface GraphView {
  nodes: GraphNodeView[];
  maxConcurrent: number;
  onFailure: (typeof ON_FAILURE)[number];
  /** Where the graph came from: the spec, or a planner agent. */
  plannedBy?: { agentId: string; by: Decomposition };
  criticalPath?: CriticalPath;
}
