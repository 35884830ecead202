/**
 * The payloads of the messages workflows exchange (workflows/protocol.ts defines the
 * messages themselves): control signals and Updates, queries' arguments, usage, broadcast,
 * findings, membership and charges. Pure zod, so the workflow, the client and the API read
 * one schema. A signal cannot answer its sender, so the workflow validates each payload
 * here and records a bad one as an ignored event instead of failing.
 * No payload at all (`temporal workflow signal --name pause`) means "no options".
 * The zones store's payloads live in zones.ts, beside the rules that read them.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { AGENT_STATUSES, type AgentStatus } from './status';
import { progressReportSchema } from './branch-progress';

/** Built on first use (lazy.ts says why). */
const optionalObject = <T extends z.ZodRawShape>(shape: () => T) =>
  lazy(() => z.preprocess((v) => (v === undefined || v === null ? {} : v), z.object(shape()).strict()));

export const pausePayload = optionalObject(() => ({ reason: z.string().max(2000).optional() }));
export const resumePayload = optionalObject(() => ({ task: z.string().min(1).max(100_000).optional() }));
export const cancelPayload = optionalObject(() => ({
  reason: z.string().max(2000).optional(),
  /** The caller cancels the workflow through Temporal next (the CLI, the API): end as Canceled then. */
  temporalCancelFollows: z.boolean().optional(),
}));
/** The seed's AgentMessage kinds; a person's message has none. */
export const MESSAGE_KINDS = ['task', 'result', 'query', 'response', 'handoff', 'broadcast'] as const;

export const messagePayload = lazy(() =>
  z
    .object({
      content: z.string().min(1).max(100_000),
      /** The agent that sent it, when an agent did. */
      from: z.string().min(1).max(200).optional(),
      kind: z.enum(MESSAGE_KINDS).optional(),
      /** The request's id: a message sent both as an Update and, when no worker answered it in time, as a signal is read once. */
      requestId: z.string().min(1).max(100).optional(),
    })
    .strict(),
);

export type PausePayload = z.infer<typeof pausePayload>;
export type ResumePayload = z.infer<typeof resumePayload>;
export type CancelPayload = z.infer<typeof cancelPayload>;
export type MessagePayload = z.infer<typeof messagePayload>;

export const eventsQueryArgs = optionalObject(() => ({
  after: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
}));
export type EventsQueryArgs = z.infer<typeof eventsQueryArgs>;

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

// ---- between workflows: usage and broadcasts to a swarm, membership and findings to a session ----

/** An agent's own work so far (not its subagents': they report for themselves). */
export const usagePayload = lazy(() =>
  z
    .object({
      agentId: z.string().min(1),
      /** Grows with every report of the agent: signals can arrive out of order, the newest wins. */
      version: z.number().int().min(0),
      name: z.string().max(200).optional(),
      status: z.enum(AGENT_STATUSES as [AgentStatus, ...AgentStatus[]]).optional(),
      tokens: z.object({ input: z.number().int().min(0), output: z.number().int().min(0) }).strict(),
      toolCalls: z.number().int().min(0),
      iterations: z.number().int().min(0),
      costUsd: z.number().min(0).optional(),
      /** What its tool calls say of its progress (swarm collapse scores it); absent from older senders. */
      progress: progressReportSchema.optional(),
    })
    .strict(),
);
export type UsageReport = z.infer<typeof usagePayload>;

export const broadcastPayload = lazy(() =>
  z.object({ from: z.string().min(1).max(200), content: z.string().min(1).max(100_000) }).strict(),
);

export const findingPayload = lazy(() =>
  z.object({ from: z.string().min(1).max(200), text: z.string().min(1).max(20_000) }).strict(),
);
export const memberPayload = lazy(() =>
  z.object({ kind: z.enum(['agent', 'swarm']), id: z.string().min(1).max(200) }).strict(),
);

// ---- charges: a model call's cost, to its session and its workspace's day ----

export const chargePayload = lazy(() =>
  z
    .object({
      agentId: z.string().min(1).max(200),
      callId: z.string().min(1).max(300),
      costUsd: z.number().min(0),
    })
    .strict(),
);
export type Charge = z.infer<typeof chargePayload>;

export interface ChargeAnswer {
  /** Everything charged so far. */
  totalUsd: number;
  /** The budget the total is held against, when there is one. */
  limitUsd?: number;
}

/** The cost ledger's input, carried across continue-as-new. */
export interface LedgerInput {
  workspace: string;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  totalUsd?: number;
  byAgent?: Record<string, number>;
  /** Call ids charged, carried across continue-as-new (src/domain/charged-calls.ts). */
  chargedCalls?: string[];
}
export type LedgerView = Required<Omit<LedgerInput, 'chargedCalls'>>;

/** What a control Update answers: the status before the request and after it. */
export interface ControlAnswer {
  before: AgentStatus;
  status: AgentStatus;
}

/** Why a control Update was rejected (the ApplicationFailure's type). */
export const ControlRejection = {
  badPayload: 'BadControlPayload',
  refused: 'ControlRefused',
} as const;
