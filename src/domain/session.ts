/** Sessions: a long-lived workspace that owns agents and swarms and keeps shared findings. */
import { z } from 'zod';
import { lazy } from './lazy';
import { workspaceIdSchema, type Usage } from './agent';
import type { AgentStatus } from './status';

export const sessionRequestSchema = lazy(() =>
  z
    .object({
      name: z.string().min(1).max(200).optional(),
      cwd: z.string().min(1).max(4096).describe('Absolute working directory of the session'),
      id: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,60}$/, 'letters, digits, "_" and "-", at most 61')
        .optional(),
      directives: z
        .string()
        .max(20_000)
        .optional()
        .describe('Standing instructions every agent of the session gets'),
      workspace: workspaceIdSchema.optional().describe('The workspace it belongs to (default: your first)'),
      budgetUsd: z
        .number()
        .positive()
        .optional()
        .describe('Most the session may spend (USD), every agent counted'),
    })
    .strict(),
);
export type SessionRequest = z.infer<typeof sessionRequestSchema>;

export interface Finding {
  from: string;
  text: string;
  at: string;
}

/** Findings kept, newest last; older ones drop off. */
export const FINDINGS_CAPACITY = 200;

export interface SessionState {
  id: string;
  name: string;
  cwd: string;
  directives?: string;
  workspace?: string;
  owner?: string;
  status: AgentStatus;
  members: Array<{ kind: 'agent' | 'swarm'; id: string }>;
  findings: Finding[];
  /** Latest own usage of every agent of the session, at any depth. */
  usage: Record<
    string,
    {
      version: number;
      name?: string;
      status?: AgentStatus;
      tokens: { input: number; output: number };
      toolCalls: number;
      iterations: number;
      costUsd?: number;
    }
  >;
  /** The latest signals it refused (a bad payload, a request its status does not allow), newest last. */
  ignored?: Array<{ signal: string; reason: string; at: string }>;
  /** Charges of the session's agents, summed: what its budget is held against. */
  costUsd?: number;
  /** The session's budget in USD, every agent counted. */
  budgetUsd?: number;
  startedAt: string;
  /** Call ids charged, carried across continue-as-new (see charged-calls.ts). */
  chargedCalls?: string[];
  /** Continue as new past this many events too, not only when Temporal suggests it (tests). */
  continueAsNewAfterEvents?: number;
}

export interface SessionView extends Omit<
  SessionState,
  'usage' | 'chargedCalls' | 'continueAsNewAfterEvents'
> {
  totals: Usage;
}

export function sessionWorkflowId(id: string): string {
  return `session-${id}`;
}

/** What an agent of the session is told at its start: the directives and the findings so far. */
export function sessionContext(state: Pick<SessionState, 'id' | 'directives' | 'findings'>): string {
  const parts = [
    `You work in session ${state.id}. Report what others should know with the report_finding tool.`,
  ];
  if (state.directives) parts.push(`Session directives:\n${state.directives}`);
  if (state.findings.length) {
    parts.push(
      `Findings so far in this session:\n${state.findings.map((f) => `- (${f.from}) ${f.text}`).join('\n')}`,
    );
  }
  return parts.join('\n\n');
}
