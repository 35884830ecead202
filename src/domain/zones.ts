/**
 * Zones: named groups of a workspace's agents (by project or by directory), for the dashboard's
 * floor plan and filters. One store per workspace (`zones-<workspace>`); an agent is in at most
 * one zone. Pure: the zones workflow, the client layer and the API all import it.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { refIdSchema, workspaceIdSchema, zoneIdSchema } from './agent';

/** How much one workspace's store holds: its whole state is carried across continue-as-new. */
export const ZONE_LIMITS = {
  /** Zones in one workspace. */
  zones: 200,
  /** Agents assigned to zones in one workspace, all zones together. */
  assignedAgents: 5_000,
  /** Agents in one zone (its agent list filter is one visibility query naming each). */
  agentsPerZone: 1_000,
  /** Agents named in one assign request. */
  agentsPerRequest: 1_000,
} as const;

// Printable, one line: a name is shown on a floor plan and in a terminal.
export const zoneNameSchema = lazy(() =>
  z
    .string()
    .trim()
    .min(1, 'a zone needs a name')
    .max(100)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'one line of printable text'),
);

export const zoneDirectorySchema = lazy(() =>
  z
    .string()
    .min(1)
    .max(4096)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'a path without control characters'),
);

/** What a person asks for (the API's `POST /zones` body, the CLI's `zone create`). */
export const zoneRequestSchema = lazy(() =>
  z
    .object({
      name: zoneNameSchema.describe('What the zone is called (unique in its workspace)'),
      directory: zoneDirectorySchema.optional().describe('The project directory the zone stands for'),
      workspace: workspaceIdSchema.optional().describe('The workspace it belongs to (default: your first)'),
    })
    .strict(),
);
export type ZoneRequest = z.infer<typeof zoneRequestSchema>;

// The Updates' payloads, validated inside the workflow (a validator refuses a bad one).
export const createZonePayload = lazy(() =>
  z
    .object({
      id: zoneIdSchema,
      name: zoneNameSchema,
      directory: zoneDirectorySchema.optional(),
      owner: z.string().min(1).max(200).optional(),
    })
    .strict(),
);
export const renameZonePayload = lazy(() => z.object({ id: zoneIdSchema, name: zoneNameSchema }).strict());
export const deleteZonePayload = lazy(() => z.object({ id: zoneIdSchema }).strict());
export const assignAgentsPayload = lazy(() =>
  z
    .object({
      /** The zone the agents go to; null takes them out of theirs. */
      zoneId: zoneIdSchema.nullable(),
      agentIds: z.array(refIdSchema).max(ZONE_LIMITS.agentsPerRequest),
      /** The zone holds exactly `agentIds` afterwards (the API's PUT); else they are added. */
      replace: z.boolean().optional(),
    })
    .strict(),
);
export type CreateZone = z.infer<typeof createZonePayload>;
export type AssignAgents = z.infer<typeof assignAgentsPayload>;

export interface ZoneRecord {
  id: string;
  name: string;
  directory?: string;
  /** Who created it: the one who renames, deletes and fills it (or an admin). */
  owner?: string;
  createdAt: string;
  updatedAt: string;
}

/** A zone as readers see it: with its workspace and its agents. */
export interface Zone extends ZoneRecord {
  workspace: string;
  agentIds: string[];
}

/** The store's whole state, carried across continue-as-new. */
export interface ZonesState {
  workspace: string;
  zones: ZoneRecord[];
  /** Agent id → zone id. */
  assignments: Record<string, string>;
}

export function zonesWorkflowId(workspace: string): string {
  return `zones-${workspace}`;
}

/** Every zone of the store with its agents, oldest first. */
/** What a zones store answers to its `status` query. */
export interface ZonesView {
  workspace: string;
  zones: Zone[];
}

/** A zones store's input: its state, carried across continue-as-new. */
export interface ZonesInput extends ZonesState {
  /** Continue as new past this many history events, before the server suggests it (tests). */
  continueAsNewAfterEvents?: number;
}

export function zonesView(state: ZonesState): Zone[] {
  const agents = new Map<string, string[]>(state.zones.map((zone) => [zone.id, []]));
  for (const [agentId, zoneId] of Object.entries(state.assignments)) agents.get(zoneId)?.push(agentId);
  return state.zones.map((zone) => ({
    ...zone,
    workspace: state.workspace,
    agentIds: (agents.get(zone.id) ?? []).sort(),
  }));
}

/** Why a refusal is refused: the client layer turns each kind into its error (404, 409, 400). */
export const ZONE_REFUSALS = {
  notFound: 'ZoneNotFound',
  nameTaken: 'ZoneNameTaken',
  full: 'ZonesFull',
} as const;
export type ZoneRefusal = (typeof ZONE_REFUSALS)[keyof typeof ZONE_REFUSALS];

/** The refusal `change` meets in `state`, or undefined when it may apply. */
export function zoneRefusal(
  state: ZonesState,
  change:
    | { kind: 'create'; payload: CreateZone }
    | { kind: 'rename'; id: string; name: string }
    | { kind: 'delete'; id: string }
    | { kind: 'assign'; payload: AssignAgents },
): { type: ZoneRefusal; message: string } | undefined {
  const find = (id: string) => state.zones.find((z) => z.id === id);
  const missing = (id: string) => ({
    type: ZONE_REFUSALS.notFound,
    message: `no zone with id "${id}" in workspace "${state.workspace}"`,
  });
  const nameTaken = (name: string, except?: string) =>
    state.zones.some((z) => z.id !== except && z.name.toLowerCase() === name.toLowerCase())
      ? {
          type: ZONE_REFUSALS.nameTaken,
          message: `workspace "${state.workspace}" has a zone named "${name}"`,
        }
      : undefined;
  switch (change.kind) {
    case 'create':
      if (find(change.payload.id))
        return { type: ZONE_REFUSALS.nameTaken, message: `zone id "${change.payload.id}" is taken` };
      if (state.zones.length >= ZONE_LIMITS.zones)
        return {
          type: ZONE_REFUSALS.full,
          message: `workspace "${state.workspace}" has ${ZONE_LIMITS.zones} zones, the most it may hold`,
        };
      return nameTaken(change.payload.name);
    case 'rename':
      return find(change.id) ? nameTaken(change.name, change.id) : missing(change.id);
    case 'delete':
      return find(change.id) ? undefined : missing(change.id);
    case 'assign': {
      const { zoneId, agentIds, replace } = change.payload;
      if (zoneId !== null && !find(zoneId)) return missing(zoneId);
      if (zoneId !== null) {
        const members = new Set(
          replace ? [] : Object.keys(state.assignments).filter((a) => state.assignments[a] === zoneId),
        );
        agentIds.forEach((id) => members.add(id));
        if (members.size > ZONE_LIMITS.agentsPerZone)
          return {
            type: ZONE_REFUSALS.full,
            message: `a zone holds at most ${ZONE_LIMITS.agentsPerZone} agents; zone ${zoneId} would hold ${members.size}`,
          };
      }
      const added = agentIds.filter((id) => state.assignments[id] === undefined).length;
      if (Object.keys(state.assignments).length + added > ZONE_LIMITS.assignedAgents)
        return {
          type: ZONE_REFUSALS.full,
          message: `workspace "${state.workspace}" has ${ZONE_LIMITS.assignedAgents} agents in zones, the most it may hold`,
        };
      return undefined;
    }
  }
}

/** Apply an assign request (checked by zoneRefusal first). */
export function assignAgents(state: ZonesState, { zoneId, agentIds, replace }: AssignAgents): void {
  if (replace && zoneId !== null) {
    for (const [agentId, zone] of Object.entries(state.assignments))
      if (zone === zoneId) delete state.assignments[agentId];
  }
  for (const agentId of agentIds) {
    if (zoneId === null) delete state.assignments[agentId];
    else state.assignments[agentId] = zoneId;
  }
}

/** Remove a zone; its agents are then in none. */
export function deleteZone(state: ZonesState, id: string): void {
  state.zones = state.zones.filter((z) => z.id !== id);
  for (const [agentId, zone] of Object.entries(state.assignments))
    if (zone === id) delete state.assignments[agentId];
}
