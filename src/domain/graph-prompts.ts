/** What a graph swarm tells its planner and its subtasks, and how it reads the planner's plan. Pure. */
import { z } from 'zod';
import { graphProblems, planSchema, type Decomposition, type GraphNode } from './graph';
import { jsonObjectIn } from './json-reply';

const HOW: Record<Exclude<Decomposition, 'none'>, string> = {
  domain: 'by area of concern (for example: the backend, the frontend, the tests, the docs)',
  data: 'by share of the data or of the files: each subtask does the same work on its own part',
  stage: 'by stage: each subtask builds on what the ones before it produced',
};

export function plannerPrompt(task: string, by: Exclude<Decomposition, 'none'>, maxNodes: number): string {
  return [
    `Decompose this task into at most ${maxNodes} subtasks for other agents, ${HOW[by]}.`,
    `The task:\n${task}`,
    'Subtasks with no dependencies between them run at the same time. A subtask that needs the result ' +
      'of another lists that one in "dependsOn" and receives its result when it starts. Give each ' +
      'subtask everything it needs to know in its own "task": it sees only that, the overall task and ' +
      'the results of its dependencies. Ids are short words (a letter, then letters, digits, "-" or "_").',
    'End your reply with one JSON object: {"nodes": [{"id": "...", "task": "...", "dependsOn": ["..."], ' +
      '"specialty": "optional, e.g. tests"}]}',
  ].join('\n\n');
}

/** The same request again, with what was wrong with the first answer. */
export function replanPrompt(
  task: string,
  by: Exclude<Decomposition, 'none'>,
  maxNodes: number,
  problem: string,
): string {
  return `${plannerPrompt(task, by, maxNodes)}\n\nA first plan was refused: ${problem}. Give a corrected one.`;
}

export type PlannedNode = Pick<GraphNode, 'id' | 'task' | 'dependsOn' | 'specialty'>;

/** The planner's plan, validated (fields, ids, dependencies, no cycle, the size), or why not. */
export function parsePlan(text: string, maxNodes: number): { nodes: PlannedNode[] } | { error: string } {
  const raw = jsonObjectIn(text);
  if (raw === undefined) return { error: 'the plan has no JSON object' };
  if (raw === null) return { error: 'the plan is not valid JSON' };
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) return { error: `the plan does not fit: ${z.prettifyError(parsed.error)}` };
  const { nodes } = parsed.data;
  if (nodes.length > maxNodes)
    return { error: `the plan has ${nodes.length} subtasks, more than ${maxNodes}` };
  const problems = graphProblems(nodes);
  return problems.length ? { error: problems.join('; ') } : { nodes };
}

/** A dependency's result as a subtask receives it: clipped, so that a long one cannot crowd out the rest. */
const INPUT_CHARS = 20_000;

export function nodePrompt(
  task: string,
  node: Pick<GraphNode, 'id' | 'task' | 'specialty'>,
  inputs: Array<{ id: string; output: string }>,
): string {
  const clip = (s: string) =>
    s.length > INPUT_CHARS ? `${s.slice(0, INPUT_CHARS)}\n… (${s.length - INPUT_CHARS} more characters)` : s;
  return [
    `The overall task:\n${task}`,
    inputs.length
      ? `Results of the subtasks yours depends on:\n\n${inputs.map((i) => `### ${i.id}\n${clip(i.output)}`).join('\n\n')}`
      : '',
    `Your subtask ("${node.id}"${node.specialty ? `, as the ${node.specialty} specialist` : ''}):\n${node.task}`,
    "Reply with your subtask's result.",
  ]
    .filter(Boolean)
    .join('\n\n');
}
