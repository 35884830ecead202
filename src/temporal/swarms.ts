/** Client helpers for swarms: start, inspect, control. */
import { randomUUID } from 'node:crypto';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  expandSpec,
  resolveGovernance,
  UnknownAgentProfileError,
  defaultBudgets,
  swarmRequestSchema,
  swarmWorkflowId,
  agentWorkflowId,
  type SwarmEvent,
  type SwarmInput,
  type SwarmOutcome,
} from '../domain';
import { swarmEventsQuery, swarmStatusQuery } from '../../workflows/protocol';
import { listEntries, type ListEntry, type ListFilter, type Page } from './visibility';
import type { AgentDefaults } from './agents';
import { sendControl, type ControlSent } from './control';
import { joinSession, sessionContextFor } from './sessions';
import { CancelledFailure } from '@temporalio/common';
import { BadRequestError, known, refuseSharedId, SwarmNotFoundError } from './errors';
import { parseRequest } from './parse-request';
import { resolveWorkdir } from '../workdir';
import {
  OrchestraAgentKind,
  OrchestraSessionId,
  OrchestraStatus,
  OrchestraSwarmId,
  ownershipAttributes,
  swarmMemo,
} from '../domain/search-attributes';

export { SwarmNotFoundError };

const WORKFLOW_OF = {
  parallel: 'parallelSwarm',
  pipeline: 'pipelineSwarm',
  debate: 'debateSwarm',
  supervisor: 'supervisorSwarm',
  graph: 'graphSwarm',
} as const;

export async function startSwarm(
  client: Client,
  defaults: AgentDefaults,
  raw: unknown,
): Promise<{ id: string; workflowId: string }> {
  const request = parseRequest(swarmRequestSchema, raw, 'swarm spec');
  const cwd = resolveWorkdir(request.cwd);
  await refuseSharedId(client, request.id, agentWorkflowId(request.id ?? ''));
  const file = defaults.file ?? {};
  const model = request.model ?? defaults.model;
  let expanded: ReturnType<typeof expandSpec>;
  try {
    expanded = expandSpec(request.spec, file, model);
  } catch (err) {
    if (err instanceof UnknownAgentProfileError)
      throw new BadRequestError(`invalid swarm spec: ${err.message}`);
    throw err;
  }
  const input: SwarmInput = {
    id: request.id ?? randomUUID().slice(0, 8),
    isolation: request.isolation ?? 'auto',
    cache: request.cache ?? true,
    ...(request.resolve ? { resolve: request.resolve === true ? {} : request.resolve } : {}),
    spec: expanded.spec,
    profiles: expanded.profiles,
    governance: resolveGovernance([file.defaults, request]),
    ...(file.routing?.fallback ? { fallback: file.routing.fallback } : {}),
    cwd,
    model,
    budgets: { ...defaultBudgets(request.spec), ...request.budgets },
    tuning: request.tuning,
    sessionId: request.sessionId,
    ...(request.sessionId ? await sessionContextFor(client, request.sessionId) : {}),
    workspace: request.workspace ?? defaults.workspace,
    owner: defaults.owner,
  };
  const workflowId = swarmWorkflowId(input.id);
  await client.workflow.start(WORKFLOW_OF[input.spec.strategy], {
    taskQueue: defaults.taskQueue,
    workflowId,
    // Never reused, as an agent's (see spawnAgent).
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [input],
    typedSearchAttributes: [
      { key: OrchestraStatus, value: 'running' },
      { key: OrchestraAgentKind, value: 'swarm' },
      { key: OrchestraSwarmId, value: input.id },
      ...(input.sessionId ? [{ key: OrchestraSessionId, value: input.sessionId }] : []),
      ...ownershipAttributes(input),
    ],
    memo: swarmMemo(input.spec),
    staticSummary: `${input.spec.strategy} swarm: ${input.spec.task.replace(/\s+/g, ' ').slice(0, 110)}`,
  });
  if (input.sessionId) await joinSession(client, input.sessionId, { kind: 'swarm', id: input.id });
  return { id: input.id, workflowId };
}

function handle(client: Client, id: string, runId?: string): WorkflowHandle {
  return client.workflow.getHandle(swarmWorkflowId(id), runId);
}

const knownSwarm = <T>(id: string, fn: () => Promise<T>): Promise<T> =>
  known(() => new SwarmNotFoundError(`no swarm with id "${id}"`), fn);

export function swarmStatus(client: Client, id: string, runId?: string): Promise<SwarmOutcome> {
  return knownSwarm(id, () => handle(client, id, runId).query(swarmStatusQuery));
}

export function controlSwarm(
  client: Client,
  id: string,
  action: 'pause' | 'resume' | 'cancel',
  payload: object = {},
): Promise<ControlSent> {
  return knownSwarm(id, () =>
    sendControl(
      'swarm',
      action,
      payload,
      () => swarmStatus(client, id),
      () => handle(client, id),
    ),
  );
}

/** Swarms, newest first, one page at a time; only those of `workspaces` when given. */
export function listSwarms(client: Client, filter: ListFilter = {}): Promise<Page<ListEntry>> {
  return listEntries(client, `${OrchestraAgentKind.name}="swarm"`, 'swarm-', filter);
}

/** The swarm's event log after a sequence number. */
export function swarmEvents(client: Client, id: string, after = 0, limit?: number): Promise<SwarmEvent[]> {
  return knownSwarm(id, () => handle(client, id).query(swarmEventsQuery, { after, limit }));
}

export async function waitForSwarm(client: Client, id: string): Promise<SwarmOutcome> {
  try {
    return await knownSwarm(id, () => handle(client, id).result() as Promise<SwarmOutcome>);
  } catch (err) {
    // A cancelled run (Canceled in Temporal) has no result: its status query has the outcome.
    if (err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure)
      return swarmStatus(client, id);
    throw err;
  }
}
