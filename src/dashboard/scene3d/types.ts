/** What the 3D view draws: the dashboard's agents and zones, reduced to what the scene shows. */
import type { AgentStatus } from '../../domain/status';

/** An agent as the scene sees it. `stale`: the dashboard lost track of it (no fresh status). */
export interface SceneAgent {
  id: string;
  name: string;
  status: AgentStatus | 'stale';
  /** The zone it stands in; none (or an unknown one) puts it in the "no zone" area. */
  zoneId?: string;
  /** Its parent agent (a subagent's spawner): a line joins them. */
  parentId?: string;
  /** The swarm it is a member of: members without a parent in the scene are joined at a hub. */
  swarmId?: string;
  task?: string;
  costUsd?: number;
  tokens?: number;
}

export interface SceneZone {
  id: string;
  name: string;
}

/** Where a point of the scene is on the page, in CSS pixels (for tests and the bench). */
export interface ScreenPoint {
  x: number;
  y: number;
}

/** Handles on the running scene, for tests and the bench (not needed by the dashboard). */
export interface SceneProbe {
  /** Frames rendered since the scene mounted. */
  frames(): number;
  /** Where an agent's body is on the page, or undefined when it is not in the scene. */
  screenPosition(agentId: string): ScreenPoint | undefined;
}
