/**
 * A swarm that grows while it runs: the `addAgent` and `close` Updates' payloads and answers.
 * A parallel swarm takes agents until it is closed (or, not open, until its agents are done);
 * an open one (`open: true`) starts with none and runs until closed. Pure.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { agentTemplateSchema } from './agent-template';

/** `addAgent`: one agent template, exactly as a spec's `agents` take it. */
export const addAgentPayload = lazy(() =>
  z.object({ agent: agentTemplateSchema.describe('The agent to add, as a spec\'s "agents" entry') }).strict(),
);
export type AddAgentPayload = z.infer<typeof addAgentPayload>;

/** `close`: the swarm takes no more agents, and ends once the ones it has are done. */
export const closeSwarmPayload = lazy(() =>
  z.object({ reason: z.string().max(2000).optional().describe('Why, for the event log') }).strict(),
);

/** The `addAgent` Update's answer: the new member, started (or waiting for a start slot). */
export interface AddedAgent {
  swarmId: string;
  id: string;
  name: string;
  role: string;
}

/** The `close` Update's answer: the members it will wait for. */
export interface SwarmClosed {
  swarmId: string;
  agents: number;
}
