/**
 * Signal payloads. A signal cannot answer its sender, so the workflow validates each
 * payload here and records a bad one as an ignored event instead of failing.
 * No payload at all (`temporal workflow signal --name pause`) means "no options".
 */
import { z } from 'zod';
import { lazy } from './lazy';
import type { AgentStatus } from './status';

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
