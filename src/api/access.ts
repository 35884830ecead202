/**
 * Ownership, checked against the workflow's own search attributes: a stranger learns
 * nothing (404), a workspace member may look but not touch (403), the owner may do anything.
 */
import { agentWorkflowId, sessionWorkflowId, swarmWorkflowId } from '../domain';
import { inspectWorkflow, type Inspection } from '../temporal/inspect';
import { ApiError, notFound } from './errors';
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
