/** The agent state machine. Pure: imported by workflows, the CLI and the API alike. */

export const AgentStatus = {
  idle: 'idle',
  running: 'running',
  paused: 'paused',
  waitingForInput: 'waiting_for_input',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'failed',
} as const;
export type AgentStatus = (typeof AgentStatus)[keyof typeof AgentStatus];

export const AGENT_STATUSES = Object.values(AgentStatus) as readonly AgentStatus[];

/** Statuses nothing leaves. */
export const TERMINAL_STATUSES: readonly AgentStatus[] = ['completed', 'cancelled', 'failed'];

export function isTerminal(status: AgentStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A request a person makes of an agent; each maps to the signal of the same name. */
export type ControlAction = 'pause' | 'resume' | 'cancel' | 'message';

/** From which statuses each control action is accepted (the seed state machine). */
const ACCEPTED_FROM: Record<ControlAction, readonly AgentStatus[]> = {
  pause: ['running', 'idle'],
  resume: ['paused'],
  cancel: ['idle', 'running', 'paused', 'waiting_for_input'],
  // A message is queued in any live status and delivered at the next step boundary.
  message: ['idle', 'running', 'paused', 'waiting_for_input'],
};

/** Why an action is refused in a status, or undefined when it is accepted. */
export function refusalReason(
  action: ControlAction,
  status: AgentStatus,
  what = 'agent',
): string | undefined {
  if (ACCEPTED_FROM[action].includes(status)) return undefined;
  if (isTerminal(status)) return `cannot ${action}: the ${what} is ${status}, and nothing leaves ${status}`;
  const allowed = ACCEPTED_FROM[action].join(', ');
  return `cannot ${action}: the ${what} is ${status} (${action} is accepted from ${allowed})`;
}
