/**
 * `orchestra.zones`: a workspace's named groups of agents (by project or directory), as the
 * dashboard draws them. Each workspace keeps its zones in one workflow (src/temporal/zones.ts);
 * an agent is in at most one zone. Workspace defaults to the Orchestra's own (ORCHESTRA_WORKSPACE).
 */
import type { Client } from '@temporalio/client';
import { spawnRequestSchema, type AgentDefaults, type Zone } from '../domain';
import { spawnAgent } from '../temporal/agents';
import { BadRequestError } from '../temporal/errors';
import { parseRequest } from '../temporal/parse-request';
import {
  agentPlaces,
  assignZoneAgents,
  createZone,
  deleteZone,
  findZone,
  listZones,
  renameZone,
  zoneOfAgent,
} from '../temporal/zones';

type Read = <T>(ask: () => Promise<T>) => Promise<T>;
/** Which workspace's zones (default: the Orchestra's own workspace). */
export interface InWorkspace {
  workspace?: string;
}

export function zonesOf(client: Client, defaults: AgentDefaults, read: Read) {
  const home = (workspace?: string) => workspace ?? defaults.workspace ?? 'default';
  return {
    /** The zones of `workspaces` with their agents; of every workspace when left out. */
    list: (filter: { workspaces?: string[] } = {}): Promise<Zone[]> =>
      read(() => listZones(client, filter.workspaces)),
    /** One zone, looked for in `workspaces` (every workspace when left out). */
    get: (id: string, filter: { workspaces?: string[] } = {}): Promise<Zone> =>
      read(() => findZone(client, id, filter.workspaces)),
    /** A new zone (`{ name, directory?, workspace? }`), owned by `owner` (default: this process's user). */
    create: (request: Record<string, unknown>, placement: { owner?: string; workspace?: string } = {}) =>
      createZone(client, request, {
        workspace: placement.workspace ?? defaults.workspace,
        owner: placement.owner ?? defaults.owner,
      }),
    rename: (id: string, name: string, where: InWorkspace = {}) =>
      renameZone(client, home(where.workspace), id, name),
    /** Delete a zone; its agents are then in none. */
    remove: (id: string, where: InWorkspace = {}) => deleteZone(client, home(where.workspace), id),
    /**
     * Put agents of the zone's workspace in it (each leaves the zone it was in); with `replace`,
     * they become its only agents. Answers with the zones that changed. `checked`: the caller
     * has already looked up each agent's workspace (the API does, with its owner rules).
     */
    assign: async (
      id: string,
      agentIds: string[],
      options: InWorkspace & { replace?: boolean; checked?: boolean } = {},
    ) => {
      const workspace = home(options.workspace);
      for (const place of options.checked ? [] : await agentPlaces(client, agentIds)) {
        if (place.workspace !== workspace)
          throw new BadRequestError(
            `agent ${place.id} belongs to workspace "${place.workspace}", zone ${id} to "${workspace}"`,
          );
      }
      return assignZoneAgents(client, workspace, id, agentIds, { replace: options.replace });
    },
    /** Take agents out of their zones. */
    unassign: (agentIds: string[], where: InWorkspace = {}) =>
      assignZoneAgents(client, home(where.workspace), null, agentIds),
    /** The zone an agent is in, if any. */
    zoneOf: (agentId: string, where: InWorkspace = {}): Promise<Zone | undefined> =>
      read(() => zoneOfAgent(client, home(where.workspace), agentId)),
    /** Where each agent lives and who owns it (for callers with rules of their own, as the API). */
    places: (agentIds: string[]) => agentPlaces(client, agentIds),
  };
}

/**
 * Start an agent, and put it in `request.zone` when it names one: the zone is looked up in the
 * agent's workspace first, so a wrong one starts nothing.
 */
export async function spawnInZone(client: Client, defaults: AgentDefaults, raw: Record<string, unknown>) {
  const { zone, workspace: asked } = parseRequest(spawnRequestSchema, raw, 'spawn request');
  const workspace = asked ?? defaults.workspace ?? 'default';
  if (zone) await findZone(client, zone, [workspace]);
  const started = await spawnAgent(client, defaults, raw);
  if (zone) await assignZoneAgents(client, workspace, zone, [started.id]);
  return zone ? { ...started, zone } : started;
}
