/** The API's own shapes: path and query parameters, control bodies, and what it answers. */
import { z } from 'zod';
import {
  AGENT_STATUSES,
  agentLimitsSchema,
  cancelPayload,
  pausePayload,
  refIdSchema,
  resumePayload,
  workspaceIdSchema,
  zoneIdSchema,
  type AgentStatus,
} from '../domain';

export const idParams = z
  .object({ id: refIdSchema.describe('The id, without the workflow-id prefix') })
  .strict();

export const workspaceParams = z.object({ id: workspaceIdSchema.describe('The workspace') }).strict();

const statusSchema = z.enum(AGENT_STATUSES as [AgentStatus, ...AgentStatus[]]);

const page = {
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4000}\.[A-Za-z0-9_-]{22}$/, 'a cursor from a previous page')
    .optional()
    .describe("The previous page's nextCursor"),
};

export const agentListQuery = z
  .object({
    status: statusSchema.optional().describe('Only agents in this status'),
    sessionId: refIdSchema.optional().describe('Only agents of this session'),
    workspace: workspaceIdSchema.optional().describe('Only agents of this workspace (one of yours)'),
    zone: zoneIdSchema.optional().describe('Only the agents of this zone (GET /zones)'),
    ...page,
  })
  .strict();

export const pageQuery = z.object(page).strict();

export const eventsQueryParams = z
  .object({
    after: z.coerce.number().int().min(0).default(0).describe('Only events with a larger sequence number'),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

// Control bodies are the signal payloads themselves: one schema, checked here and in the workflow.
export const pauseBody = pausePayload;
export const resumeBody = resumePayload;
export const cancelBody = cancelPayload;
export const messageBody = z.object({ content: z.string().min(1).max(100_000) }).strict();

const ownership = {
  workspace: z.string().optional(),
  owner: z.string().optional(),
};
const staleness = {
  stale: z.boolean().describe('True when its work has shown no sign of life past the threshold'),
  silentWork: z.string().optional(),
  silentSince: z.string().optional(),
};

export const startedResponse = z.object({ id: z.string(), workflowId: z.string(), ...ownership }).loose();

export const acceptedResponse = z
  .object({
    id: z.string(),
    action: z.enum(['pause', 'resume', 'cancel', 'message']),
    statusBefore: statusSchema,
    queued: z
      .literal(true)
      .optional()
      .describe('No worker took it in time: it waits in the history and applies when one runs the workflow'),
    note: z.string(),
  })
  .strict();

export const agentEntry = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    name: z.string().optional(),
    task: z.string().optional().describe('As the agent started, clipped to 200 characters'),
    status: z.union([statusSchema, z.literal('unknown')]),
    costUsd: z.number().optional().describe('Priced agents only'),
    kind: z.string().optional(),
    sessionId: z.string().optional(),
    swarmId: z.string().optional().describe('The swarm it works in'),
    parentId: z.string().optional().describe('The agent that started it, for a subagent'),
    temporalStatus: z.string(),
    startedAt: z.string(),
    closedAt: z.string().optional(),
    ...ownership,
    ...staleness,
  })
  .loose();

export const listOf = (item: z.ZodType) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() }).strict();

/** An agent's status. When its worker is slow to answer, its last view or what the server knows, and `partial` says so. */
export const agentView = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    status: z.union([statusSchema, z.literal('unknown')]),
    task: z.string().optional(),
    model: z.string().optional(),
    tokens: z.object({ input: z.number(), output: z.number() }).loose().optional(),
    toolCalls: z.number().optional(),
    iterations: z.number().optional(),
    startedAt: z.string().optional(),
    updatedAt: z.string().optional(),
    partial: z
      .string()
      .optional()
      .describe(
        "Set when the agent's worker did not answer in time: the view is the last one it gave (see asOf), or what the server knows",
      ),
    asOf: z.string().optional().describe('With partial: when the worker gave the view shown (ISO 8601)'),
    result: z.string().optional(),
    error: z.string().optional(),
    pausedReason: z.string().optional(),
    limits: agentLimitsSchema.partial().optional().describe('The limits it runs under'),
    taskQueue: z.string().optional().describe('The task queue its workflow runs on (where it was placed)'),
    temporalStatus: z.string(),
    ...ownership,
    ...staleness,
  })
  .loose();

export const eventsResponse = z
  .object({
    events: z.array(z.object({ seq: z.number(), at: z.string(), type: z.string() }).loose()),
    last: z.number(),
  })
  .strict();

export const transcriptResponse = z
  .object({ messages: z.array(z.object({ role: z.string() }).loose()) })
  .strict();

export const sessionEntry = z
  .object({
    id: z.string(),
    status: z.string(),
    name: z.string().optional().describe("A session's name"),
    strategy: z.string().optional().describe("A swarm's strategy"),
    task: z.string().optional().describe("A swarm's task, on one line"),
    startedAt: z.string(),
    closedAt: z.string().optional(),
    ...ownership,
  })
  .loose();

export const sessionView = z.object({ id: z.string(), status: statusSchema, ...ownership }).loose();
export const swarmView = z
  .object({ id: z.string(), strategy: z.string(), status: statusSchema, ...ownership })
  .loose();

export const healthResponse = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    temporal: z
      .object({
        reachable: z.boolean(),
        address: z.string(),
        namespace: z.string(),
        error: z.string().optional(),
      })
      .strict(),
  })
  .strict();
