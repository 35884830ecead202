/** Human-readable rendering for the CLI. */
import { formatUsd, oneLine, type AgentEvent, type AgentResult, type AgentStatusView } from '../domain';
import type { AgentListEntry } from '../temporal/agents';

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
    case 'tool_call':
      return `${head} tool     ${e.tool} ${clip(JSON.stringify(e.input), 140)}`;
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
      return `${head} approval ${e.callId} ${e.decision === 'allow' ? 'allowed' : 'denied'} (${e.by})${e.note ? `: ${clip(e.note, 100)}` : ''}`;
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

export function formatStatus(v: AgentStatusView): string {
  const lines = [
    `agent     ${v.id} (${v.name}, ${v.type})`,
    `status    ${v.status}${v.pausedReason ? ` — ${v.pausedReason}` : ''}`,
    `task      ${clip(v.task, 200)}`,
    `model     ${v.model}`,
    `cwd       ${v.cwd}`,
    `progress  ${v.iterations} iterations · ${v.toolCalls} tool calls · ${v.tokens.input} in / ${v.tokens.output} out tokens`,
    `started   ${v.startedAt}   updated ${v.updatedAt}`,
  ];
  if (v.pendingMessages) lines.push(`inbox     ${v.pendingMessages} message(s) waiting for the next step`);
  if (v.todos.length)
    lines.push(
      `todos     ${v.todos.map((t) => `[${t.status === 'completed' ? 'x' : ' '}] ${t.content}`).join('; ')}`,
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

export function formatList(rows: AgentListEntry[]): string {
  if (rows.length === 0) return 'no agents';
  const header = ['ID', 'STATUS', 'KIND', 'SESSION', 'STARTED'];
  const table = [header, ...rows.map((r) => [r.id, r.status, r.kind ?? '', r.sessionId ?? '', r.startedAt])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
