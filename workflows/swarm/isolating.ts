/**
 * Which swarms put their agents in trees of their own (isolation.ts), and which agents: those
 * that write, in a strategy that runs several at once; and what a swarm asks of their trees.
 */
import * as wf from '@temporalio/workflow';
import type { SwarmCopies } from '../../src/domain/copies';
import type { SwarmEventBody } from '../../src/domain/events';
import type { SwarmInput } from '../../src/domain/swarm';
import type { Landing, SwarmAgent, SwarmWorktrees } from '../../src/domain/swarm-outcome';
import { DEFAULT_TOOLS, type ToolName } from '../../src/domain/tools';
import type { ResolverHost } from './resolution';

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

/** What an isolated swarm reports: its git worktrees, or its copies. */
export interface IsolationView {
  worktrees?: SwarmWorktrees;
  copies?: SwarmCopies;
}

/** Members in trees of their own, git worktrees (Isolation) or copies (Copies): what SwarmRun asks of either. */
export interface MemberIsolation {
  /** Git worktrees (a member's work is a commit the result cache can land again), or copies. */
  readonly kind: 'worktree' | 'copy';
  /** Give a member about to start its tree as its cwd; why not, when none could be made. */
  place(agent: SwarmAgent, config: { cwd: string }, task: string): Promise<string | undefined>;
  /** The member has ended: what it left is recorded (committed on its branch, or found in its copy). */
  commit(agent: SwarmAgent): Promise<void>;
  /** Its work into the swarm's result (the swarm's branch, or cwd): merged, nothing to merge, or a conflict. */
  merge(agent: SwarmAgent): Promise<Landing>;
  /**
   * An agent that works beside the members, in the tree their work lands in (a supervisor): its
   * cwd there. What it changes there is the swarm's work too (worktrees: committed on the swarm's
   * branch before each merge and at the end).
   */
  share(agent: { id: string; name: string }): string;
  close(): Promise<IsolationView>;
  summary(): IsolationView;
}

/** The swarm as isolation sees it: resolvers start as its agents, and what lands shows in its events. */
export interface IsolationHost extends ResolverHost {
  record(body: SwarmEventBody): void;
}
