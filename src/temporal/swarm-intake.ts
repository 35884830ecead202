/**
 * Growing a running swarm: add an agent (the `addAgent` Update, which answers with its id or
 * says why not) and close it (the `close` Update; queued as a signal when no worker answers).
 */
import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  agentTemplateSchema,
  closeSwarmPayload,
  NoWorkerInTimeError,
  OrchestraError,
  swarmWorkflowId,
  type AddedAgent,
  type AgentTemplate,
  type SwarmClosed,
} from '../domain';
import { addAgentUpdate, closeSignal, closeUpdate } from '../../workflows/protocol';
import { rejection } from './control';
import { InvalidTransitionError } from './errors';
import { parseRequest } from './parse-request';
import { swarmStatus } from './swarms';

/** How long an add or a close waits for a worker to take it. */
export const INTAKE_WAIT_MS = 10_000;

/** Add an agent (a spec's agent template) to running swarm `id`; answers with the new member. */
export function addSwarmAgent(client: Client, id: string, raw: unknown): Promise<AddedAgent> {
  const agent: AgentTemplate = parseRequest(agentTemplateSchema, raw, 'agent template');
  return intakeUpdate(client, id, 'add an agent to', () =>
    client.workflow.getHandle(swarmWorkflowId(id)).executeUpdate(addAgentUpdate, { args: [{ agent }] }),
  );
}

/** Close running swarm `id`: no more agents; an open swarm ends once the ones it has are done. */
export async function closeSwarm(
  client: Client,
  id: string,
  reason?: string,
): Promise<SwarmClosed & { queued?: true }> {
  const payload = parseRequest(closeSwarmPayload, reason ? { reason } : {}, 'close');
  const handle = client.workflow.getHandle(swarmWorkflowId(id));
  try {
    return await intakeUpdate(client, id, 'close', () =>
      handle.executeUpdate(closeUpdate, { args: [payload] }),
    );
  } catch (err) {
    if (!(err instanceof OrchestraError && err.code === 'unavailable')) throw err;
    // No worker now: the signal waits in the history and closes it when one runs it.
    await handle.signal(closeSignal, payload);
    const { agents } = await swarmStatus(client, id).catch(() => ({ agents: [] }));
    return { swarmId: id, agents: agents.length, queued: true };
  }
}

async function intakeUpdate<T>(client: Client, id: string, what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + INTAKE_WAIT_MS, send);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw rejection(err);
    if (err instanceof WorkflowNotFoundError) {
      // Ended (its status query still answers), or never was (SwarmNotFoundError).
      const { status } = await swarmStatus(client, id);
      throw new InvalidTransitionError(`cannot ${what} swarm ${id}: it has ended (${status})`);
    }
    if (isGrpcDeadlineError(err))
      throw new NoWorkerInTimeError(
        `no worker answered swarm ${id} within ${INTAKE_WAIT_MS / 1000} s; try again shortly`,
      );
    throw err;
  }
}
