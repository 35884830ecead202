/**
 * /api/v1/zones: a workspace's named groups of agents (by project or directory). Members of a
 * workspace see its zones and create their own; only a zone's owner (or an admin) renames,
 * deletes or fills it, and only with agents they own: nobody moves another person's agent.
 */
import { z } from 'zod';
import {
  ZONE_LIMITS,
  refIdSchema,
  zoneIdSchema,
  zoneNameSchema,
  zoneRequestSchema,
  type Zone,
} from '../../domain';
import { targetWorkspace } from '../access';
import { ApiError, notFound } from '../errors';
import { canControl, canSee, visibleWorkspaces, type Principal } from '../principal';
import { route, type ApiDeps, type Route } from '../route';
import { listOf } from '../schemas';

export const zoneView = z
  .object({
    id: z.string(),
    name: z.string(),
    directory: z.string().optional(),
    workspace: z.string(),
    owner: z.string().optional(),
    agentIds: z.array(z.string()).describe('Its agents; an agent is in at most one zone'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict();

const zoneParams = z.object({ id: zoneIdSchema.describe('The zone') }).strict();
const zoneListQuery = z
  .object({
    workspace: z.string().max(100).optional().describe('Only the zones of this workspace (one of yours)'),
  })
  .strict();
const renameBody = z
  .object({ name: zoneNameSchema.describe('The new name (unique in its workspace)') })
  .strict();
const agentsBody = z
  .object({
    agentIds: z
      .array(refIdSchema)
      .max(ZONE_LIMITS.agentsPerRequest)
      .describe("The zone's agents from now on (each leaves the zone it was in); [] empties it"),
  })
  .strict();

/** The zone, if the caller may see it: 404 otherwise, exactly as for one that does not exist. */
export async function visibleZone(
  deps: ApiDeps,
  p: Principal,
  id: string,
  workspaces = visibleWorkspaces(p),
) {
  return deps.orchestra.zones.get(id, { workspaces }).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'not_found') throw notFound('zone', id);
    throw err;
  });
}

/** The zone, if the caller may change it: 404 for strangers, 403 for members who do not own it. */
export async function ownedZone(
  deps: ApiDeps,
  p: Principal,
  id: string,
  action: string,
  workspaces?: string[],
) {
  const zone = await visibleZone(deps, p, id, workspaces ?? visibleWorkspaces(p));
  if (!canControl(p, zone.owner))
    throw new ApiError(
      403,
      'forbidden',
      `only the zone's owner${zone.owner ? ` (${zone.owner})` : ''} may ${action} it`,
    );
  return zone;
}

/** Agents the caller may put in `zone`: theirs (any for an admin), of its workspace; 404 for those they cannot see. */
export async function assignable(deps: ApiDeps, p: Principal, zone: Zone, agentIds: string[]): Promise<void> {
  const places = await deps.orchestra.zones.places(agentIds).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'not_found')
      throw new ApiError(404, 'not_found', (err as Error).message);
    throw err;
  });
  for (const place of places) {
    if (!canSee(p, place.workspace)) throw notFound('agent', place.id);
    if (place.workspace !== zone.workspace)
      throw new ApiError(
        400,
        'bad_request',
        `agent ${place.id} belongs to workspace "${place.workspace}", zone ${zone.id} to "${zone.workspace}"`,
      );
    if (!canControl(p, place.owner))
      throw new ApiError(
        403,
        'forbidden',
        `only the agent's owner${place.owner ? ` (${place.owner})` : ''} may put agent ${place.id} in a zone`,
      );
  }
}

export function zoneRoutes(deps: ApiDeps): Route[] {
  const errors = [400, 401, 403, 404, 409, 503];
  return [
    route({
      method: 'post',
      path: '/zones',
      tag: 'zones',
      summary: 'Create a zone (owned by you, in your workspace)',
      body: zoneRequestSchema,
      ok: { status: 201, description: 'Created', schema: zoneView },
      errors,
      async handle({ body, principal, res }) {
        const workspace = targetWorkspace(deps, principal, body.workspace);
        const zone = await deps.orchestra.zones.create(body, { owner: principal.user, workspace });
        res.location(`/api/v1/zones/${zone.id}`);
        return zone;
      },
    }),
    route({
      method: 'get',
      path: '/zones',
      tag: 'zones',
      summary: "The zones of your workspaces, each with its agents' ids",
      query: zoneListQuery,
      ok: { status: 200, description: 'Every zone, oldest first', schema: listOf(zoneView) },
      errors: [400, 401, 503],
      async handle({ query, principal }) {
        if (query.workspace && !canSee(principal, query.workspace)) return { items: [] };
        const workspaces = query.workspace ? [query.workspace] : visibleWorkspaces(principal);
        return { items: await deps.orchestra.zones.list({ workspaces }) };
      },
    }),
    route({
      method: 'get',
      path: '/zones/:id',
      tag: 'zones',
      summary: 'A zone and its agents',
      params: zoneParams,
      ok: { status: 200, description: 'The zone', schema: zoneView },
      errors: [400, 401, 404, 503],
      handle: ({ params, principal }) => visibleZone(deps, principal, params.id),
    }),
    route({
      method: 'patch',
      path: '/zones/:id',
      tag: 'zones',
      summary: 'Rename a zone (its owner, or an admin)',
      params: zoneParams,
      body: renameBody,
      ok: { status: 200, description: 'The zone, renamed', schema: zoneView },
      errors,
      async handle({ params, body, principal }) {
        const zone = await ownedZone(deps, principal, params.id, 'rename');
        return deps.orchestra.zones.rename(zone.id, body.name, { workspace: zone.workspace });
      },
    }),
    route({
      method: 'delete',
      path: '/zones/:id',
      tag: 'zones',
      summary: 'Delete a zone (its owner, or an admin); its agents are then in no zone',
      params: zoneParams,
      ok: { status: 200, description: 'The zone as it was', schema: zoneView },
      errors: [400, 401, 403, 404, 503],
      async handle({ params, principal }) {
        const zone = await ownedZone(deps, principal, params.id, 'delete');
        return deps.orchestra.zones.remove(zone.id, { workspace: zone.workspace });
      },
    }),
    route({
      method: 'put',
      path: '/zones/:id/agents',
      tag: 'zones',
      summary:
        "Set a zone's agents (its owner, or an admin; your own agents): each leaves the zone it was in",
      params: zoneParams,
      body: agentsBody,
      ok: { status: 200, description: 'The zone with its agents', schema: zoneView },
      errors,
      async handle({ params, body, principal }) {
        const zone = await ownedZone(deps, principal, params.id, 'assign agents to');
        const added = body.agentIds.filter((id) => !zone.agentIds.includes(id));
        await assignable(deps, principal, zone, added);
        const changed = await deps.orchestra.zones.assign(zone.id, body.agentIds, {
          workspace: zone.workspace,
          replace: true,
          checked: true,
        });
        return changed.find((z) => z.id === zone.id) ?? { ...zone, agentIds: [...body.agentIds].sort() };
      },
    }),
  ];
}
