/**
 * What an agent keeps of each subagent it started (`task` and `delegate`), in its state: what
 * `task_list`, `task_output` and the status view read, and the texts the model reads about
 * them. Pure.
 */
import type { AgentStatus } from './status';

/** A subagent as `task_list` and the status view show it. */
export interface SubagentEntry {
  id: string;
  name: string;
  /** Started with `background: true`: the parent went on without waiting. */
  background: boolean;
  /** `running` until it ends, then completed, cancelled or failed. */
  status: AgentStatus;
  startedAt: string;
  endedAt?: string;
}

/** What the agent's state keeps: the entry, and the end of a background subagent. */
export interface SubagentRecord extends SubagentEntry {
  /** A background subagent's result (or error), clipped to {@link RESULT_KEPT}; a waited-for one's was the `task` result. */
  output?: string;
  /** Why this agent cancelled it (task_cancel). */
  cancelReason?: string;
}

/** Characters of a background subagent's result the parent keeps for `task_output`. */
export const RESULT_KEPT = 20_000;
/** Characters of it in the finish message. */
export const RESULT_IN_MESSAGE = 2_000;
/** Characters of results kept in all (the state travels in every continue-as-new): the newest first. */
export const RESULTS_KEPT_IN_ALL = 100_000;
const DROPPED = '(dropped: older results are not kept; the finish message had its start)';

/** Drop the results of the oldest records past {@link RESULTS_KEPT_IN_ALL}, so the state stays small. */
export function trimResults(records: SubagentRecord[]): void {
  let total = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (!r.output || r.output === DROPPED) continue;
    total += r.output.length;
    if (total > RESULTS_KEPT_IN_ALL) r.output = DROPPED;
  }
}

/** Background subagents still running. */
export function runningInBackground(records: readonly SubagentRecord[]): SubagentRecord[] {
  return records.filter((r) => r.background && r.status === 'running');
}

export function entryOf(r: SubagentRecord): SubagentEntry {
  const { output: _output, cancelReason: _reason, ...entry } = r;
  return entry;
}

export function clipResult(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more chars]`;
}

/** The message a parent gets when a background subagent ends: `[subagent <id> finished: <status>] <result>`. */
export function finishMessage(r: SubagentRecord): string {
  const output = r.output ? clipResult(r.output, RESULT_IN_MESSAGE) : '(no result)';
  const more =
    (r.output?.length ?? 0) > RESULT_IN_MESSAGE
      ? `\n(task_output {"id":"${r.id}"} gives the whole result)`
      : '';
  return `[subagent ${r.id} finished: ${r.status}] ${output}${more}`;
}

/** The `task` result of a background start: the id, and how to get at the subagent. */
export function startedInBackground(id: string, name: string): string {
  return (
    `started subagent ${id} ("${name}") in the background. You get a message "[subagent ${id} finished: ...]" ` +
    `when it ends. task_output {"id":"${id}"} gives its status and result (add "wait": true to wait for it); ` +
    `task_cancel {"id":"${id}"} stops it.`
  );
}

/** One subagent on one line, for `task_list`. */
export function listLine(r: SubagentEntry): string {
  return [
    r.id,
    r.status,
    r.background ? 'background' : 'waited for',
    JSON.stringify(r.name),
    `started ${r.startedAt}`,
    ...(r.endedAt ? [`ended ${r.endedAt}`] : []),
  ].join(' · ');
}

/** What `task_output` says of a subagent. */
export function outputText(r: SubagentRecord): string {
  if (r.status === 'running')
    return `subagent ${r.id} is running (started ${r.startedAt}); you get a message when it ends, or ask again with "wait": true`;
  const head = `[subagent ${r.id} ${r.status} · ended ${r.endedAt}]`;
  if (!r.background) return `${head} its result was the result of the task call that started it`;
  return `${head}\n${r.output ?? '(no result)'}`;
}
