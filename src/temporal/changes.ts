/**
 * What changed among agents and swarms since a moment, in one visibility query: those at work
 * now (a running workflow whose OrchestraStatus is `running`), and those started or closed
 * since. Idle, paused and waiting ones are not in it: a feed reads them when they show up here.
 */
import type { Client } from '@temporalio/client';
import {
  OrchestraAgentKind,
  OrchestraOwner,
  OrchestraStatus,
  OrchestraWorkspace,
} from '../domain/search-attributes';
import { inClause, listPage } from './visibility';

export interface Change {
  kind: 'agent' | 'swarm';
  id: string;
  workflowId: string;
  workspace?: string;
  owner?: string;
  /** OrchestraStatus. */
  status?: string;
  /** Temporal's own: RUNNING, COMPLETED, ... */
  temporalStatus: string;
  /** At work now: running, with the `running` OrchestraStatus. */
  active: boolean;
  startedAt: Date;
  closedAt?: Date;
}

/** Rows a page holds: one query answers a feed while fewer than this many are at work. */
const PAGE = 1000;

/** The query, for those who want to see what the feed asks of the server. */
export function changesQuery(since: Date, workspaces?: string[]): string {
  const at = since.toISOString();
  const scope = workspaces ? `${inClause(OrchestraWorkspace.name, workspaces)} AND ` : '';
  return (
    scope +
    `(WorkflowType = "agentWorkflow" OR ${OrchestraAgentKind.name} = "swarm") AND ` +
    `((ExecutionStatus = "Running" AND ${OrchestraStatus.name} = "running") OR ` +
    `StartTime > "${at}" OR CloseTime > "${at}")`
  );
}

/** Agents and swarms at work, started or closed since `since`; `onCall` counts the server calls made. */
export async function listChanges(
  client: Client,
  since: Date,
  onCall?: () => void,
  workspaces?: string[],
): Promise<Change[]> {
  const changes: Change[] = [];
  let cursor: string | undefined;
  do {
    onCall?.();
    const page = await listPage(client, changesQuery(since, workspaces), PAGE, cursor);
    for (const wf of page.items) {
      const sa = wf.typedSearchAttributes;
      const swarm = sa.get(OrchestraAgentKind) === 'swarm';
      const status = sa.get(OrchestraStatus);
      changes.push({
        kind: swarm ? 'swarm' : 'agent',
        id: wf.workflowId.replace(swarm ? /^swarm-/ : /^agent-/, ''),
        workflowId: wf.workflowId,
        workspace: sa.get(OrchestraWorkspace),
        owner: sa.get(OrchestraOwner),
        status,
        temporalStatus: wf.status.name,
        active: wf.status.name === 'RUNNING' && status === 'running',
        startedAt: wf.startTime,
        closedAt: wf.closeTime,
      });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return changes;
}
