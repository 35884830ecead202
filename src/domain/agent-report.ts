/** What an agent reports about itself: the status view, its result, the Web UI's details. */
import { addUsage, agentWorkflowId, type AgentConfig, type AgentResult, type AgentStatusView } from './agent';
import type { AgentState } from './agent-state';
import { formatUsd } from './cost';
import { entryOf } from './subagent-records';

/** `taskQueue`: the queue its workflow runs on (the workflow knows it; a config placed elsewhere says it). */
export function statusView(
  config: AgentConfig,
  state: AgentState,
  taskQueue = config.location,
): AgentStatusView {
  return {
    id: config.id,
    name: config.name,
    type: config.type,
    status: state.status,
    task: state.task,
    model: config.model,
    cwd: config.cwd,
    tokens: { ...state.tokens },
    toolCalls: state.toolCalls,
    iterations: state.iterations,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    result: state.result,
    error: state.error,
    pausedReason: state.pausedReason,
    pendingMessages: state.inbox.length,
    todos: [...state.todos],
    artifacts: [...state.artifacts],
    sessionId: config.sessionId,
    swarmId: config.swarmId,
    parentId: config.parentId,
    workspace: config.workspace,
    owner: config.owner,
    depth: config.depth,
    subagents: [...state.subagents],
    children: (state.children ?? []).map(entryOf),
    totals: addUsage(
      {
        tokens: { ...state.tokens },
        toolCalls: state.toolCalls,
        iterations: state.iterations,
        agents: 1,
        costUsd: state.costUsd,
      },
      state.descendants,
    ),
    costUsd: state.costUsd,
    pendingApprovals: state.approvals.map((a) => ({ ...a })),
    autonomy: config.policy?.autonomy ?? 'full',
    limits: { ...config.limits },
    ...(config.profile ? { profile: config.profile } : {}),
    ...(taskQueue ? { taskQueue } : {}),
    ...(config.toolsLocation ? { toolsLocation: config.toolsLocation } : {}),
  };
}

/** The result with its metrics, from a status view (inside the workflow, or from a query). */
export function resultFromView(view: AgentStatusView, error = view.error): AgentResult {
  return {
    id: view.id,
    status: view.status,
    result: view.result,
    error,
    metrics: {
      durationMs: Date.parse(view.updatedAt) - Date.parse(view.startedAt),
      tokens: { ...view.tokens },
      toolCalls: view.toolCalls,
      iterations: view.iterations,
      costUsd: view.costUsd,
    },
    totals: view.totals,
    artifacts: [...view.artifacts],
  };
}

/** Markdown for the Web UI's "current details". */
export function currentDetails(config: AgentConfig, state: AgentState): string {
  return [
    `**${state.status}** · ${agentWorkflowId(config.id)} · ${config.model}`,
    `iterations ${state.iterations} · tool calls ${state.toolCalls} · tokens ${state.tokens.input}/${state.tokens.output} · ${formatUsd(state.costUsd)}`,
    state.approvals.length
      ? `waiting for approval: ${state.approvals.map((a) => `${a.tool} (${a.callId})`).join(', ')}`
      : '',
    state.pausedReason ? `paused: ${state.pausedReason}` : '',
    state.error ? `error: ${state.error}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}
