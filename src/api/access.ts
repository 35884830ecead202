/**
 * Ownership, checked against the workflow's own search attributes: a stranger learns
 * nothing (404), a workspace member may look but not touch (403), the owner may do anything.
 */
import {
  agentWorkflowId,
  refusalReason,
  sessionWorkflowId,
  swarmWorkflowId,
  type AgentStatus,
  type ControlAction,
} from '../domain';
import type { Orchestra } from '../sdk/orchestra';
import type { ControlSent } from '../temporal/control';
import { InvalidTransitionError } from '../temporal/errors';
import { inspectWorkflow, type Inspection } from '../temporal/inspect';
import { ApiError, notFound } from './errors';
import type { QuickInspection } from './quick-inspections';
import { canControl, canSee, type Principal } from './principal';
import type { ApiDeps } from './route';

export type Kind = 'agent' | 'swarm' | 'session';

const WORKFLOW_ID: Record<Kind, (id: string) => string> = {
  agent: agentWorkflowId,
  swarm: swarmWorkflowId,
  session: sessionWorkflowId,
};

/** The thing, if the caller may see it; otherwise 404, exactly as if it did not exist. */
export async function inspectVisible(
  deps: ApiDeps,
  p: Principal,
  kind: Kind,
  id: string,
): Promise<Inspection> {
  const inspection = await inspectWorkflow(
    deps.client,
    WORKFLOW_ID[kind](id),
    () => notFound(kind, id),
    deps.staleAfterMs,
  );
  if (!canSee(p, inspection.workspace)) throw notFound(kind, id);
  return inspection;
}

/** The same, by `deadline` where the server is slow to describe it (quick-inspections.ts says how). */
export async function inspectVisibleBy(
  deps: ApiDeps,
  p: Principal,
  kind: Kind,
  id: string,
  deadline: number,
): Promise<QuickInspection> {
  const quick = await deps.inspections.inspect(
    deps.client,
    WORKFLOW_ID[kind](id),
    () => notFound(kind, id),
    deps.staleAfterMs,
    deadline,
  );
  if (!canSee(p, quick.inspection.workspace)) throw notFound(kind, id);
  return quick;
}

/** The thing, if the caller may control it: 404 for strangers, 403 for members who do not own it. */
export async function inspectOwned(
  deps: ApiDeps,
  p: Principal,
  kind: Kind,
  id: string,
  action: string,
): Promise<Inspection> {
  const inspection = await inspectVisible(deps, p, kind, id);
  if (!canControl(p, inspection.owner)) {
    throw new ApiError(
      403,
      'forbidden',
      `only the ${kind}'s owner${inspection.owner ? ` (${inspection.owner})` : ''} may ${action} it`,
    );
  }
  return inspection;
}

/** The workspace a new thing goes to: the one asked for, if the caller belongs to it, else their first. */
export function targetWorkspace(deps: ApiDeps, p: Principal, requested?: string): string {
  if (requested === undefined) return p.admin && !deps.tokens ? deps.openWorkspace : p.workspaces[0];
  if (!canSee(p, requested))
    throw new ApiError(403, 'forbidden', `you are not a member of workspace "${requested}"`);
  return requested;
}

/**
 * Pause, resume, cancel or message something the caller owns, through the SDK as the CLI does:
 * the workflow takes or refuses the request (a 409), or, with no worker to answer in time, it
 * is queued as a signal for the next one. A run that has closed is refused from what the
 * server holds, without asking a worker that may not be there.
 */
export async function control(
  deps: ApiDeps,
  p: Principal,
  kind: Kind,
  id: string,
  action: ControlAction,
  payload: object,
): Promise<{ id: string; action: ControlAction; statusBefore: AgentStatus; queued?: true }> {
  const inspection = await inspectOwned(deps, p, kind, id, action);
  if (inspection.temporalStatus !== 'RUNNING') {
    const status = (inspection.status ?? inspection.temporalStatus.toLowerCase()) as AgentStatus;
    throw new InvalidTransitionError(
      refusalReason(action, status, kind) ?? `cannot ${action}: the ${kind} has ended`,
    );
  }
  const sent = await sendTo(deps.orchestra, kind, id, action, payload);
  // The feed reads what it changed even where no list would show it (idle to paused).
  if (kind !== 'session') deps.feed.poke(kind, id);
  return { id, action, statusBefore: sent.status, ...(sent.queued ? { queued: true as const } : {}) };
}

function sendTo(
  orchestra: Orchestra,
  kind: Kind,
  id: string,
  action: ControlAction,
  payload: object,
): Promise<ControlSent> {
  if (kind === 'agent') return orchestra.agents.control(id, action, payload);
  if (action === 'message') throw new ApiError(400, 'bad_request', `a ${kind} takes no messages`);
  return (kind === 'swarm' ? orchestra.swarms : orchestra.sessions).control(id, action, payload);
}

/**
 * Where a new agent or swarm goes: into its session's workspace when it joins a session
 * (which only the session's owner may add to), else the workspace asked for, or the caller's first.
 */
export async function placement(
  deps: ApiDeps,
  p: Principal,
  request: { workspace?: string; sessionId?: string },
  what: 'agents' | 'swarms',
): Promise<string> {
  const workspace = targetWorkspace(deps, p, request.workspace);
  if (!request.sessionId) return workspace;
  const session = await inspectOwned(deps, p, 'session', request.sessionId, `add ${what} to`);
  if (request.workspace && request.workspace !== session.workspace) {
    throw new ApiError(
      400,
      'bad_request',
      `session ${request.sessionId} lives in workspace "${session.workspace}"`,
    );
  }
  return session.workspace ?? workspace;
}
