/**
 * A swarm answers the same control signals as an agent (`pause`, `resume`, `cancel`) and
 * passes them on to its agents. Agents report their usage to it with `usage`, a signal
 * because an agent cannot wait on its swarm's answer.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { lazy } from '../../src/domain/lazy';
import { AGENT_STATUSES, type AgentStatus, type SwarmEvent, type SwarmOutcome } from '../../src/domain';

export const usageSignal = defineSignal<[unknown]>('usage');
/** An agent's broadcast, for the swarm to pass on to its other agents. */
export const broadcastSignal = defineSignal<[unknown]>('broadcast');
export const swarmStatusQuery = defineQuery<SwarmOutcome>('status');
/** The swarm's event log after a sequence number (`{ after?, limit? }`), as the agent's `events`. */
export const swarmEventsQuery = defineQuery<SwarmEvent[], [unknown?]>('events');

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
    })
    .strict(),
);
export type UsageReport = z.infer<typeof usagePayload>;

export const broadcastPayload = lazy(() =>
  z.object({ from: z.string().min(1).max(200), content: z.string().min(1).max(100_000) }).strict(),
);
