/**
 * Approvals: a tool call (or spending past a budget) waiting for a person's word. The
 * agent keeps them in its state, so they survive worker and server restarts.
 */
import type { ApprovalDecision } from './policy';

export interface PendingApproval {
  callId: string;
  /** A tool call, or an agent that reached a budget and asks to spend more. */
  kind: 'tool' | 'budget';
  agentId: string;
  agentName: string;
  tool: string;
  /** The call's arguments (a preview when they are long). */
  input: unknown;
  reason: string;
  requestedAt: string;
  /** When the timeout decision applies, if the agent has an approval timeout. */
  expiresAt?: string;
  timeoutDecision?: ApprovalDecision;
  /** The agents above the requesting one, outermost first. */
  lineage: string[];
  sessionId?: string;
  swarmId?: string;
  workspace?: string;
  owner?: string;
}

export interface ApprovalAnswer {
  decision: ApprovalDecision;
  note?: string;
  /** A person (by signal) or the approval timeout. */
  by: 'person' | 'timeout';
  /** The person, when the answer named them. */
  user?: string;
}

/** What a denied tool call tells the model. */
export function denialText(tool: string, answer: ApprovalAnswer | { reason: string }): string {
  if ('reason' in answer) return `denied by policy: ${tool} was not run (${answer.reason})`;
  const who =
    answer.by === 'timeout'
      ? 'the approval timed out and the default is deny'
      : `${answer.user ?? 'a person'} denied it`;
  return `denied: ${tool} was not run (${who})${answer.note ? `. Their note: ${answer.note}` : ''}`;
}
