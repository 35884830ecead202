/** Human-readable rendering for the CLI. */
import { formatUsd, oneLine, type AgentEvent, type AgentResult, type AgentStatusView } from '../domain';
import type { AgentListEntry } from '../temporal/agents';
import type { ListEntry } from '../temporal/visibility';
import { ago, tableLines } from './table';

const clip = (text: string, max = 160): string => oneLine(text, max);

export function formatEvent(e: AgentEvent): string {
  const head = `${e.at.slice(11, 19)} #${String(e.seq).padEnd(4)}`;
  switch (e.type) {
    case 'spawned':
      return e.parentId
        ? `${head} subagent ${e.agentId} (${clip(e.name, 100)}) started`
        : `${head} spawned  ${e.agentId} (${clip(e.name, 100)})`;
    case 'status':
      return `${head} status   ${e.from} → ${e.to}${e.reason ? ` (${clip(e.reason, 120)})` : ''}`;
    case 'task':
      return `${head} task     ${clip(e.task)}`;
    case 'message':
      return `${head} ${e.role === 'user' ? 'message ' : 'says    '} ${clip(e.text)}`;
    case 'tool_call': {
      const todos = e.tool === 'todo' ? todoInput(e.input) : undefined;
      return todos
        ? `${head} todos    ${clip(formatTodos(todos), 140)}`
        : `${head} tool     ${e.tool} ${clip(JSON.stringify(e.input), 140)}`;
    }
    case 'tool_result':
      return `${head} result   ${e.ok ? '✓' : '✗'} ${e.tool}: ${clip(e.output, 140)}`;
    case 'tokens': {
      const cost =
        e.totalCostUsd === undefined
          ? ''
          : ` · ${formatUsd(e.costUsd ?? 0)} (total ${formatUsd(e.totalCostUsd)})`;
      return `${head} tokens   +${e.input} in / +${e.output} out (total ${e.totalInput} / ${e.totalOutput})${cost}`;
    }
    case 'approval_requested':
      return `${head} approval ${e.callId} asks to run ${e.tool}: ${clip(e.reason, 120)}`;
    case 'approval_answered':
      return `${head} approval ${e.callId} ${e.decision === 'allow' ? 'allowed' : 'denied'} (${e.user ?? e.by})${e.note ? `: ${clip(e.note, 100)}` : ''}`;
    case 'denied':
      return `${head} denied   ${e.tool}: ${clip(e.reason, 140)}`;
    case 'hook':
      return `${head} hook     ${e.hook} (${e.event}): ${clip(e.note, 120)}`;
    case 'budget':
      return `${head} budget   ${e.level} ${e.state}: ${formatUsd(e.spentUsd)} of ${formatUsd(e.limitUsd)}`;
    case 'model_fallback':
      return `${head} fallback ${e.from} → ${e.to} (${clip(e.reason, 100)})`;
    case 'ignored':
      return `${head} ignored  ${e.signal}: ${clip(e.reason, 140)}`;
    case 'continued_as_new':
      return `${head} history  continued as new after ${e.historyLength} events`;
  }
}

/** The todo tool's list, when its input is one. */
function todoInput(input: unknown): Array<{ content: string; status: string }> | undefined {
  const todos = (input as { todos?: unknown } | null)?.todos;
  if (!Array.isArray(todos)) return undefined;
  const ok = todos.every((t) => typeof t?.content === 'string' && typeof t?.status === 'string');
  return ok ? (todos as Array<{ content: string; status: string }>) : undefined;
}

export function formatStatus(v: AgentStatusView): string {
  const lines = [
    `agent     ${v.id} (${v.name}, ${v.type})`,
    `status    ${v.status}${v.pausedReason ? ` — ${v.pausedReason}` : ''}`,
    `task      ${clip(v.task, 200)}`,
    `model     ${v.model}`,
    `cwd       ${v.cwd}`,
    ...(v.taskQueue
      ? [`queue     ${v.taskQueue}${v.toolsLocation ? ` · tools on ${v.toolsLocation}` : ''}`]
      : []),
    `progress  ${v.iterations} iterations · ${v.toolCalls} tool calls · ${v.tokens.input} in / ${v.tokens.output} out tokens`,
    `started   ${v.startedAt}   updated ${v.updatedAt}`,
  ];
  for (const a of v.pendingApprovals)
    lines.push(
      `waiting   for a person's approval of ${a.tool} (${a.callId}): ${clip(a.reason, 120)} — orchestra approve ${a.callId} [--deny]`,
    );
  if (v.pendingMessages) lines.push(`inbox     ${v.pendingMessages} message(s) waiting for the next step`);
  if (v.todos.length) lines.push(`todos     ${formatTodos(v.todos)}`);
  for (const c of v.children ?? [])
    lines.push(
      `subagent  ${c.id} ${c.status}${c.background ? ' in the background' : ''} · ${clip(c.name, 60)} · ` +
        `started ${c.startedAt}${c.endedAt ? ` · ended ${c.endedAt}` : ''}`,
    );
  if (v.artifacts.length) lines.push(`artifacts ${v.artifacts.join(', ')}`);
  if (v.result) lines.push(`result    ${v.result}`);
  if (v.error) lines.push(`error     ${v.error}`);
  return lines.join('\n');
}

export function formatResult(r: AgentResult): string {
  const m = r.metrics;
  return [
    `${r.status === 'completed' ? '✓' : '✗'} agent ${r.id} ${r.status}`,
    r.result ? `result:  ${r.result}` : '',
    r.error ? `error:   ${r.error}` : '',
    `metrics: ${(m.durationMs / 1000).toFixed(1)}s · ${m.iterations} iterations · ${m.toolCalls} tool calls · ${m.tokens.input} in / ${m.tokens.output} out tokens`,
    r.artifacts.length ? `files:   ${r.artifacts.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function formatList(rows: AgentListEntry[], now = Date.now()): string {
  if (rows.length === 0) return 'no agents';
  return tableLines(
    ['ID', 'NAME', 'STATUS', 'TASK', 'COST', 'STARTED', 'KIND', 'SESSION'],
    rows.map((r) => [
      r.id,
      clip(r.name ?? '', 24),
      r.status,
      clip(r.task ?? '', 48),
      r.costUsd === undefined ? '' : formatUsd(r.costUsd),
      ago(r.startedAt, now),
      r.kind ?? '',
      r.sessionId ?? '',
    ]),
  ).join('\n');
}

/** Swarms or sessions, newest first: what each is (a session's name, a swarm's strategy and task). */
export function formatEntries(rows: ListEntry[], none: string, now = Date.now()): string {
  if (rows.length === 0) return none;
  return tableLines(
    ['ID', 'STATUS', 'WHAT', 'STARTED', 'WORKSPACE'],
    rows.map((r) => [
      r.id,
      r.status,
      clip(r.name ?? [r.strategy, r.task].filter(Boolean).join(': '), 60),
      ago(r.startedAt, now),
      r.workspace ?? '',
    ]),
  ).join('\n');
}

/** A todo list as `status` and `logs` both show it: [x] done, [~] in progress, [ ] pending. */
export function formatTodos(todos: ReadonlyArray<{ content: string; status: string }>): string {
  const mark = (status: string) => (status === 'completed' ? 'x' : status === 'in_progress' ? '~' : ' ');
  return todos.map((t) => `[${mark(t.status)}] ${t.content}`).join('; ');
}
