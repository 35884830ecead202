/** A graph swarm's plan: the spec's own nodes, or a planner agent's, validated and asked once more if refused. */
import type { GraphNode, GraphSpec, GraphView } from '../../src/domain/graph';
import { parsePlan, plannerPrompt, replanPrompt } from '../../src/domain/graph-prompts';
import { duration } from './parallel';
import type { SwarmRun } from './run';

/** A planner reads the code to split the work; it changes nothing unless its template says so. */
const PLANNER_TOOLS = ['read_file', 'list_files', 'grep'] as const;
const ATTEMPTS = 2;

export type Planned =
  { nodes: GraphNode[]; plannedBy?: GraphView['plannedBy']; ms: number } | { error: string; ms: number };

export async function planGraph(swarm: SwarmRun, spec: GraphSpec): Promise<Planned> {
  if (spec.nodes) return { nodes: spec.nodes, ms: 0 };
  const { by, agent: template, maxNodes } = spec.planner ?? { by: 'domain' as const, maxNodes: 8 };
  if (by === 'none') return { nodes: [{ id: 'task', task: spec.task, dependsOn: [] }], ms: 0 };
  let ms = 0;
  let problem: string | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const planner = await swarm.runAgent(
      { name: 'planner', tools: [...PLANNER_TOOLS], ...template },
      problem === undefined
        ? plannerPrompt(spec.task, by, maxNodes)
        : replanPrompt(spec.task, by, maxNodes, problem),
      'planner',
    );
    ms += duration(planner);
    if (planner.status !== 'completed')
      return { error: `the planner ${planner.status}${planner.error ? `: ${planner.error}` : ''}`, ms };
    const plan = parsePlan(planner.result ?? '', maxNodes);
    if ('nodes' in plan) return { nodes: plan.nodes, plannedBy: { agentId: planner.id, by }, ms };
    problem = plan.error;
  }
  return { error: `the planner's plan was refused ${ATTEMPTS} times; the last: ${problem}`, ms };
}
