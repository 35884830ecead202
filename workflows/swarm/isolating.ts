/**
 * Which swarms put their agents in trees of their own (isolation.ts), and which agents: those
 * that write, in a strategy that runs several at once.
 */
import * as wf from '@temporalio/workflow';
import { DEFAULT_TOOLS, type SwarmInput, type ToolName } from '../../src/domain';

/** Agents that write: the ones that need a tree of their own. */
const WRITING_TOOLS: ReadonlySet<ToolName> = new Set(['write_file', 'edit_file', 'bash'] as ToolName[]);
export const writes = (tools: readonly ToolName[]): boolean => tools.some((t) => WRITING_TOOLS.has(t));

/** Supervisor swarms whose workers work in trees of their own (delegated.ts). */
const SUPERVISOR_PATCH = 'supervisor-worker-isolation';

/** Whether a swarm has agents that write in a strategy that runs them at once: only then is it isolated. */
export function wantsIsolation(input: SwarmInput): boolean {
  const { spec } = input;
  const tools = (...ts: Array<{ tools?: ToolName[] } | undefined>) =>
    ts.find((t) => t?.tools)?.tools ?? DEFAULT_TOOLS;
  // An open swarm's agents are yet to come: any of them may write.
  if (spec.strategy === 'parallel') return spec.open === true || spec.agents.some((a) => writes(tools(a)));
  if (spec.strategy === 'graph')
    return spec.nodes ? spec.nodes.some((n) => writes(tools(n, spec.worker))) : writes(tools(spec.worker));
  // A worker has the supervisor's tools unless its template names some. Supervisor swarms
  // started before their workers were isolated replay without it.
  if (spec.strategy === 'supervisor')
    return (
      (spec.workers ?? [spec.worker]).some((w) => writes(tools(w, spec.supervisor))) &&
      wf.patched(SUPERVISOR_PATCH)
    );
  return false;
}
