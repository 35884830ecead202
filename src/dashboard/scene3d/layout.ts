/**
 * Where everything stands: zones as square floor tiles in a grid (the "no zone" area last),
 * each agent on a cell of its zone's tile, children next to their parents. Pure: no three.js,
 * so the layout is the same in the scene, its probe and its tests.
 */
import type { SceneAgent, SceneZone } from './types';

/** Distance between two agents' cells, in world units. */
export const CELL = 2.2;
/** Floor between a tile's edge and its first cell (room for the zone's name). */
const MARGIN = 1.2;
/** Gap between two tiles. */
const GAP = 1.4;

export const NO_ZONE = '__no_zone__';

export interface Tile {
  id: string;
  name: string;
  /** Centre on the floor (y = 0) and side length. */
  x: number;
  z: number;
  size: number;
  /** Stands for the agents without a (known) zone. */
  noZone: boolean;
}

export interface Spot {
  x: number;
  z: number;
}

/** A line from a parent (or a swarm's hub) to a member. */
export interface Link {
  from: Spot;
  to: Spot;
  kind: 'child' | 'swarm';
}

export interface Layout {
  tiles: Tile[];
  spots: Map<string, Spot>;
  links: Link[];
  /** Half the side of a square, centred on the origin, that holds every tile. */
  extent: number;
}

/** Parents before their children, depth first, each group in the order given. */
function treeOrder(agents: SceneAgent[]): SceneAgent[] {
  const ids = new Set(agents.map((a) => a.id));
  const children = new Map<string, SceneAgent[]>();
  const roots: SceneAgent[] = [];
  for (const agent of agents) {
    if (agent.parentId && agent.parentId !== agent.id && ids.has(agent.parentId)) {
      const list = children.get(agent.parentId) ?? [];
      list.push(agent);
      children.set(agent.parentId, list);
    } else roots.push(agent);
  }
  const out: SceneAgent[] = [];
  const seen = new Set<string>();
  const stack = [...roots].reverse();
  while (stack.length) {
    const agent = stack.pop()!;
    if (seen.has(agent.id)) continue;
    seen.add(agent.id);
    out.push(agent);
    stack.push(...(children.get(agent.id) ?? []).slice().reverse());
  }
  // Agents in a parent cycle have no root: put them last rather than lose them.
  for (const agent of agents) if (!seen.has(agent.id)) out.push(agent);
  return out;
}

export function layoutScene(agents: SceneAgent[], zones: SceneZone[]): Layout {
  const known = new Set(zones.map((z) => z.id));
  const groups = new Map<string, SceneAgent[]>(zones.map((z) => [z.id, []]));
  const unzoned: SceneAgent[] = [];
  for (const agent of agents) {
    if (agent.zoneId && known.has(agent.zoneId)) groups.get(agent.zoneId)!.push(agent);
    else unzoned.push(agent);
  }
  const entries: { id: string; name: string; members: SceneAgent[]; noZone: boolean }[] = zones.map((z) => ({
    id: z.id,
    name: z.name,
    members: groups.get(z.id)!,
    noZone: false,
  }));
  if (unzoned.length || !zones.length)
    entries.push({ id: NO_ZONE, name: 'no zone', members: unzoned, noZone: true });

  const most = Math.max(1, ...entries.map((e) => e.members.length));
  const perSide = Math.max(2, Math.ceil(Math.sqrt(most)));
  const size = perSide * CELL + 2 * MARGIN;
  const columns = Math.ceil(Math.sqrt(entries.length));
  const rows = Math.ceil(entries.length / columns);
  const pitch = size + GAP;
  const tiles: Tile[] = [];
  const spots = new Map<string, Spot>();
  entries.forEach((entry, i) => {
    const x = ((i % columns) - (columns - 1) / 2) * pitch;
    const z = (Math.floor(i / columns) - (rows - 1) / 2) * pitch;
    tiles.push({ id: entry.id, name: entry.name, x, z, size, noZone: entry.noZone });
    const first = -(perSide - 1) / 2;
    treeOrder(entry.members).forEach((agent, j) => {
      spots.set(agent.id, {
        x: x + (first + (j % perSide)) * CELL,
        z: z + (first + Math.floor(j / perSide)) * CELL,
      });
    });
  });
  return { tiles, spots, links: links(agents, spots), extent: (Math.max(columns, rows) * pitch) / 2 };
}

function links(agents: SceneAgent[], spots: Map<string, Spot>): Link[] {
  const out: Link[] = [];
  const swarms = new Map<string, Spot[]>();
  for (const agent of agents) {
    const to = spots.get(agent.id)!;
    const parent = agent.parentId ? spots.get(agent.parentId) : undefined;
    if (parent && agent.parentId !== agent.id) out.push({ from: parent, to, kind: 'child' });
    else if (agent.swarmId) swarms.set(agent.swarmId, [...(swarms.get(agent.swarmId) ?? []), to]);
  }
  // A swarm's members (those not already joined to a parent) meet at their centre.
  for (const members of swarms.values()) {
    if (members.length < 2) continue;
    const hub = {
      x: members.reduce((s, m) => s + m.x, 0) / members.length,
      z: members.reduce((s, m) => s + m.z, 0) / members.length,
    };
    for (const m of members) out.push({ from: hub, to: m, kind: 'swarm' });
  }
  return out;
}
