/**
 * Client helpers for zones: each workspace's store is one workflow (`zones-<workspace>`, on the
 * queue every worker polls), started by its first change. Changes are Updates the store takes
 * or refuses (no such zone: ZoneNotFoundError; a name taken: already_exists); reads are queries.
 */
import { randomUUID } from 'node:crypto';
import {
  isGrpcDeadlineError,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  agentWorkflowId,
  NoWorkerInTimeError,
  ZONE_REFUSALS,
  ZONES_QUEUE,
  zoneRequestSchema,
  zonesWorkflowId,
  type Zone,
} from '../domain';
import { OrchestraOwner, OrchestraWorkspace, ownershipAttributes } from '../domain/search-attributes';
import {
  assignAgentsUpdate,
  createZoneUpdate,
  deleteZoneUpdate,
  renameZoneUpdate,
  zonesQuery,
} from '../../workflows/protocol';
import type { zonesWorkflow } from '../../workflows/zones/workflow';
import {
  AgentNotFoundError,
  BadRequestError,
  IdTakenError,
  InvalidTransitionError,
  ZoneNotFoundError,
} from './errors';
import { parseRequest } from './parse-request';

/**
 * How long a change waits for a worker to take it before the caller hears the store is
 * unavailable. Longer than a worker killed while holding the store's task costs (the workflow
 * task timeout, 10 s, after the sticky queue's 3 s): that change is applied a moment later, and
 * a caller told "unavailable" would try again and find its zone's name taken.
 */
export const ZONE_UPDATE_WAIT_MS = 20_000;

/** An agent as zones see it: where it lives and who owns it. */
export interface AgentPlace {
  id: string;
  workspace: string;
  owner?: string;
}

const DEFAULT_WORKSPACE = 'default';

/** The store's refusal as the error the CLI and the API know. */
function refusal(err: WorkflowUpdateFailedError): Error {
  const cause = err.cause;
  const message = cause?.message ?? err.message;
  if (!(cause instanceof ApplicationFailure)) return err;
  switch (cause.type) {
    case ZONE_REFUSALS.notFound:
      return new ZoneNotFoundError(message);
    case ZONE_REFUSALS.nameTaken:
      return new IdTakenError(message);
    case ZONE_REFUSALS.full:
      return new InvalidTransitionError(message);
    default:
      return new BadRequestError(message);
  }
}

/** Run a change, with its refusal, a missing store and a missing worker said plainly. */
async function change<T>(client: Client, workspace: string, send: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + ZONE_UPDATE_WAIT_MS, send);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw refusal(err);
    if (err instanceof WorkflowNotFoundError)
      throw new ZoneNotFoundError(`workspace "${workspace}" has no zones yet`);
    if (isGrpcDeadlineError(err))
      throw new NoWorkerInTimeError(
        `no worker took the change to the zones of workspace "${workspace}" within ${ZONE_UPDATE_WAIT_MS / 1000} s; try again shortly`,
      );
    throw err;
  }
}

const store = (client: Client, workspace: string) =>
  client.workflow.getHandle<typeof zonesWorkflow>(zonesWorkflowId(workspace));

/** Create a zone (starting the workspace's store if this is its first), owned by `owner`. */
export function createZone(
  client: Client,
  raw: unknown,
  place: { workspace?: string; owner?: string } = {},
): Promise<Zone> {
  const request = parseRequest(zoneRequestSchema, raw, 'zone');
  const workspace = request.workspace ?? place.workspace ?? DEFAULT_WORKSPACE;
  const id = randomUUID().slice(0, 8);
  const payload = {
    id,
    name: request.name,
    ...(request.directory ? { directory: request.directory } : {}),
    ...(place.owner ? { owner: place.owner } : {}),
  };
  return change(client, workspace, () =>
    client.workflow.executeUpdateWithStart(createZoneUpdate, {
      args: [payload],
      updateId: `create-${id}`,
      startWorkflowOperation: new WithStartWorkflowOperation<typeof zonesWorkflow>('zonesWorkflow', {
        workflowId: zonesWorkflowId(workspace),
        taskQueue: ZONES_QUEUE,
        args: [{ workspace, zones: [], assignments: {} }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: ownershipAttributes({ workspace }),
        staticSummary: `zones of workspace ${workspace}`,
      }),
    }),
  );
}

export function renameZone(client: Client, workspace: string, id: string, name: string): Promise<Zone> {
  return change(client, workspace, () =>
    store(client, workspace).executeUpdate(renameZoneUpdate, { args: [{ id, name }] }),
  );
}

/** Delete a zone; its agents are then in none. Answers with the zone as it was. */
export function deleteZone(client: Client, workspace: string, id: string): Promise<Zone> {
  return change(client, workspace, () =>
    store(client, workspace).executeUpdate(deleteZoneUpdate, { args: [{ id }] }),
  );
}

/**
 * Put agents in zone `zoneId` (each leaves the one it was in), or in none when null; with
 * `replace`, they become the zone's only agents. Answers with the zones that changed.
 */
export async function assignZoneAgents(
  client: Client,
  workspace: string,
  zoneId: string | null,
  agentIds: string[],
  options: { replace?: boolean } = {},
): Promise<Zone[]> {
  const payload = { zoneId, agentIds: [...new Set(agentIds)], ...(options.replace ? { replace: true } : {}) };
  try {
    return await change(client, workspace, () =>
      store(client, workspace).executeUpdate(assignAgentsUpdate, { args: [payload] }),
    );
  } catch (err) {
    // Taking agents out of zones where there are none is done already.
    if (zoneId === null && err instanceof ZoneNotFoundError) return [];
    throw err;
  }
}

/** The zones of `workspace`, oldest first: none when it has no store yet. */
export async function workspaceZones(client: Client, workspace: string): Promise<Zone[]> {
  try {
    return (await store(client, workspace).query(zonesQuery)).zones;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
}

/** The zones of `workspaces`, or of every workspace that has any when undefined. */
export async function listZones(client: Client, workspaces?: string[]): Promise<Zone[]> {
  const names = workspaces ?? (await workspacesWithZones(client));
  return (await Promise.all(names.map((w) => workspaceZones(client, w)))).flat();
}

async function workspacesWithZones(client: Client): Promise<string[]> {
  const names: string[] = [];
  for await (const wf of client.workflow.list({
    query: 'WorkflowType="zonesWorkflow" AND ExecutionStatus="Running"',
  })) {
    const workspace = wf.typedSearchAttributes.get(OrchestraWorkspace);
    if (workspace && !names.includes(workspace)) names.push(workspace);
  }
  return names.sort();
}

/** Zone `id`, found in `workspaces` (every workspace when undefined); ZoneNotFoundError if none has it. */
export async function findZone(client: Client, id: string, workspaces?: string[]): Promise<Zone> {
  const zone = (await listZones(client, workspaces)).find((z) => z.id === id);
  if (!zone) throw new ZoneNotFoundError(`no zone with id "${id}"`);
  return zone;
}

/** The zone agent `agentId` of `workspace` is in, if any. */
export async function zoneOfAgent(
  client: Client,
  workspace: string,
  agentId: string,
): Promise<Zone | undefined> {
  return (await workspaceZones(client, workspace)).find((z) => z.agentIds.includes(agentId));
}

/**
 * Where each agent lives and who owns it, from the server's description of each (not the
 * visibility store, which may not list an agent started a moment ago). AgentNotFoundError
 * names the first that does not exist.
 */
export async function agentPlaces(client: Client, ids: string[]): Promise<AgentPlace[]> {
  const places: AgentPlace[] = [];
  // A few at a time: an assign request names up to a thousand.
  for (let i = 0; i < ids.length; i += 16) {
    places.push(
      ...(await Promise.all(
        ids.slice(i, i + 16).map(async (id) => {
          const described = await client.workflow
            .getHandle(agentWorkflowId(id))
            .describe()
            .catch((err: unknown) => {
              if (err instanceof WorkflowNotFoundError)
                throw new AgentNotFoundError(`no agent with id "${id}"`);
              throw err;
            });
          const sa = described.typedSearchAttributes;
          return {
            id,
            workspace: sa.get(OrchestraWorkspace) ?? DEFAULT_WORKSPACE,
            owner: sa.get(OrchestraOwner),
          };
        }),
      )),
    );
  }
  return places;
}
