/**
 * Approvals: a tool call (or spending past a budget) waiting for a person's word. The
 * agent keeps them in its state, so they survive worker and server restarts.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import type { ApprovalDecision } from './policy';

/** The `approve` signal's payload: `temporal workflow signal --name approve --input '{...}'`. */
export const approvePayload = lazy(() =>
  z
    .object({
      callId: z.string().min(1).max(200).describe('The tool call (or budget stop) to answer'),
      decision: z.enum(['allow', 'deny']),
      note: z.string().max(10_000).optional().describe('Passed to the model with a denial'),
      user: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('Who answered: the API sets it from the token, the CLI from the login name'),
    })
    .strict(),
);
export type ApprovePayload = z.infer<typeof approvePayload>;

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
