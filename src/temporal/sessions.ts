/** Client helpers for sessions: create, inspect, control, and joining agents and swarms to one. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  isTerminal,
  sessionContext,
  sessionRequestSchema,
  sessionWorkflowId,
  type SessionState,
  type SessionView,
} from '../domain';
import { joinSignal, sessionStatusQuery } from '../../workflows/protocol';
import { sendControl, type ControlSent } from './control';
import { InvalidTransitionError, known, SessionNotFoundError } from './errors';
import { parseRequest } from './parse-request';
import { resolveWorkdir } from '../workdir';
import {
  OrchestraAgentKind,
  OrchestraSessionId,
  OrchestraStatus,
  ownershipAttributes,
  sessionMemo,
} from '../domain/search-attributes';
import { listEntries, type ListEntry, type ListFilter, type Page } from './visibility';

const knownSession = <T>(id: string, fn: () => Promise<T>): Promise<T> =>
  known(() => new SessionNotFoundError(`no session with id "${id}"`), fn);

export async function createSession(
  client: Client,
  taskQueue: string,
  raw: unknown,
  origin: { owner?: string; workspace?: string } = {},
): Promise<{ id: string; workflowId: string }> {
  const request = parseRequest(sessionRequestSchema, raw, 'session');
  const cwd = resolveWorkdir(request.cwd);
  const id = request.id ?? randomUUID().slice(0, 8);
  const state: SessionState = {
    id,
    name: request.name ?? id,
    cwd,
    directives: request.directives,
    workspace: request.workspace ?? origin.workspace,
    owner: origin.owner,
    status: 'running',
    members: [],
    findings: [],
    usage: {},
    costUsd: 0,
    ...(request.budgetUsd ? { budgetUsd: request.budgetUsd } : {}),
    startedAt: new Date().toISOString(),
  };
  const workflowId = sessionWorkflowId(id);
  await client.workflow.start('sessionWorkflow', {
    taskQueue,
    workflowId,
    // Never reused, as an agent's (see spawnAgent).
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [state],
    typedSearchAttributes: [
      { key: OrchestraStatus, value: 'running' },
      { key: OrchestraAgentKind, value: 'session' },
      { key: OrchestraSessionId, value: id },
      ...ownershipAttributes(state),
    ],
    memo: sessionMemo(state),
    staticSummary: `session ${state.name}`,
  });
  return { id, workflowId };
}

export function sessionStatus(client: Client, id: string, runId?: string): Promise<SessionView> {
  return knownSession(id, () =>
    client.workflow.getHandle(sessionWorkflowId(id), runId).query(sessionStatusQuery),
  );
}

/**
 * What a new member starts with: the session's context, and whether the session keeps a
 * budget (its members then charge it at once; else in batches). Refuses a session that has ended.
 */
export async function sessionContextFor(
  client: Client,
  id: string,
): Promise<{ context: string; sessionBudgeted: boolean }> {
  const session = await sessionStatus(client, id);
  if (isTerminal(session.status)) throw new InvalidTransitionError(`session ${id} is ${session.status}`);
  return { context: sessionContext(session), sessionBudgeted: session.budgetUsd !== undefined };
}

export function joinSession(
  client: Client,
  id: string,
  member: { kind: 'agent' | 'swarm'; id: string },
): Promise<void> {
  return knownSession(id, () => client.workflow.getHandle(sessionWorkflowId(id)).signal(joinSignal, member));
}

export function controlSession(
  client: Client,
  id: string,
  action: 'pause' | 'resume' | 'cancel',
  payload: object = {},
): Promise<ControlSent> {
  return knownSession(id, () =>
    sendControl(
      'session',
      action,
      payload,
      () => sessionStatus(client, id),
      () => client.workflow.getHandle(sessionWorkflowId(id)),
    ),
  );
}

/** Sessions, newest first, one page at a time; only those of `workspaces` when given. */
export function listSessions(client: Client, filter: ListFilter = {}): Promise<Page<ListEntry>> {
  return listEntries(client, 'WorkflowType="sessionWorkflow"', 'session-', filter);
}
