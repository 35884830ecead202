/** Client helpers for agents: spawn, inspect, control, list. The CLI and the API both use these. */
import { randomUUID } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import {
  agentWorkflowId,
  oneLine,
  swarmWorkflowId,
  resolveAgentConfig,
  UnknownAgentProfileError,
  type AgentConfig,
  resultFromView,
  spawnRequestSchema,
  type AgentDefaults,
  type AgentEvent,
  type AgentResult,
  type AgentStatus,
  type AgentStatusView,
  type ConversationMessage,
  type ControlAction,
} from '../domain';
import type { agentWorkflow } from '../../workflows';
import { eventsQuery, statusQuery, transcriptQuery } from '../../workflows/protocol';
import { AgentNotFoundError, BadRequestError, InvalidTransitionError, known, refuseSharedId } from './errors';
import { parseRequest } from './parse-request';
import { resolveWorkdir } from '../workdir';
import { sendControl, type ControlSent } from './control';
import { joinSession, sessionContextFor } from './sessions';
import {
  agentMemo,
  agentSearchAttributes,
  OrchestraCostUsd,
  OrchestraParentId,
  OrchestraSessionId,
  OrchestraStatus,
  OrchestraWorkspace,
} from '../domain/search-attributes';
import { inClause, listPage, quote, type Page } from './visibility';
import { recorded } from './inspect';
import { isNeverRun, neverRunView } from './never-run';

export { AgentNotFoundError, BadRequestError, InvalidTransitionError };

export type { AgentDefaults };

export async function spawnAgent(
  client: Client,
  defaults: AgentDefaults,
  raw: unknown,
): Promise<{ id: string; workflowId: string; handle: WorkflowHandle<typeof agentWorkflow> }> {
  const request = parseRequest(spawnRequestSchema, raw, 'spawn request');
  // Resolved: the tools check at every call that it still resolves to itself.
  const cwd = resolveWorkdir(request.cwd);
  await refuseSharedId(client, request.id, swarmWorkflowId(request.id ?? ''));
  let config: AgentConfig;
  try {
    config = resolveAgentConfig(
      { ...request, cwd, workspace: request.workspace ?? defaults.workspace },
      { id: randomUUID().slice(0, 8), model: defaults.model, owner: defaults.owner, file: defaults.file },
    );
  } catch (err) {
    if (err instanceof UnknownAgentProfileError)
      throw new BadRequestError(`invalid spawn request: ${err.message}`);
    throw err;
  }
  if (config.sessionId) Object.assign(config, await sessionContextFor(client, config.sessionId));
  const workflowId = agentWorkflowId(config.id);
  const handle = await client.workflow
    .start<typeof agentWorkflow>('agentWorkflow', {
      // Placed on a queue of its own, or on the client's.
      taskQueue: config.location ?? defaults.taskQueue,
      workflowId,
      // An id is never used twice: a finished one stays its owner's (another workspace could take it
      // otherwise, and the owner's look would find the stranger's run).
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ config, task: request.task }],
      typedSearchAttributes: agentSearchAttributes(config, request.task),
      // What a listing shows of each agent without asking it: visibility returns the memo.
      memo: agentMemo(config, request.task),
      staticSummary: `${config.name}: ${oneLine(request.task || '(waiting for a message)', 120)}`,
      staticDetails: placedDetails(config, defaults.taskQueue),
    })
    .catch((err: Error) => {
      const cause = err.cause instanceof Error ? err.cause.message : '';
      if (/search attribute/i.test(cause)) {
        throw new Error(`cannot start the agent (${cause}): run \`orchestra setup\` once on this server`);
      }
      throw err;
    });
  if (config.sessionId) await joinSession(client, config.sessionId, { kind: 'agent', id: config.id });
  return { id: config.id, workflowId, handle };
}

/** The Web UI's details of an agent: what it is, and where it runs. */
function placedDetails(config: AgentConfig, clientQueue: string): string {
  const queue = config.location ?? clientQueue;
  const tools = config.toolsLocation ? ` · tools on \`${config.toolsLocation}\`` : '';
  return `agent **${config.name}** (${config.type}) · model ${config.model} · cwd \`${config.cwd}\` · queue \`${queue}\`${tools}`;
}

/** The agent's latest run, or the run `runId`. */
export function agentHandle(
  client: Client,
  id: string,
  runId?: string,
): WorkflowHandle<typeof agentWorkflow> {
  return client.workflow.getHandle<typeof agentWorkflow>(agentWorkflowId(id), runId);
}

const knownAgent = <T>(id: string, fn: () => Promise<T>): Promise<T> =>
  known(() => new AgentNotFoundError(`no agent with id "${id}"`), fn);

export function agentStatus(client: Client, id: string, runId?: string): Promise<AgentStatusView> {
  const handle = agentHandle(client, id, runId);
  return knownAgent(id, () =>
    handle
      .query(statusQuery)
      .catch((err: unknown) =>
        isNeverRun(err) ? neverRunView(handle, client.options.loadedDataConverter) : Promise.reject(err),
      ),
  );
}

export function agentEvents(client: Client, id: string, after = 0, limit?: number): Promise<AgentEvent[]> {
  return knownAgent(id, () => agentHandle(client, id).query(eventsQuery, { after, limit }));
}

export function agentTranscript(client: Client, id: string): Promise<ConversationMessage[]> {
  return knownAgent(id, () => agentHandle(client, id).query(transcriptQuery));
}

export function controlAgent(
  client: Client,
  id: string,
  action: ControlAction,
  payload: object = {},
): Promise<ControlSent> {
  return knownAgent(id, () =>
    sendControl(
      'agent',
      action,
      payload,
      () => agentStatus(client, id),
      () => agentHandle(client, id),
    ),
  );
}

/** Wait for the agent's end: its result, or the AgentResult carried by its failure. */
export async function waitForAgent(client: Client, id: string): Promise<AgentResult> {
  try {
    return await knownAgent(id, () => agentHandle(client, id).result());
  } catch (err) {
    if (err instanceof AgentNotFoundError) throw err;
    // A failed or cancelled run: the status query still has the whole story.
    const view = await agentStatus(client, id);
    return resultFromView(view, view.error ?? (err as Error).message);
  }
}

export interface AgentListEntry {
  id: string;
  workflowId: string;
  /** Name and task (clipped) as the agent started: absent for agents started before they were kept. */
  name?: string;
  task?: string;
  status: AgentStatus | 'unknown';
  /** Priced agents only. */
  costUsd?: number;
  kind?: string;
  sessionId?: string;
  /** The swarm it works in, and the agent that started it (a subagent's parent). */
  swarmId?: string;
  parentId?: string;
  workspace?: string;
  owner?: string;
  temporalStatus: string;
  startedAt: string;
  closedAt?: string;
}

export interface AgentListFilter {
  status?: AgentStatus;
  sessionId?: string;
  /** The subagents of this agent. */
  parentId?: string;
  /** Only agents of these workspaces. */
  workspaces?: string[];
  /** Only agents whose workflow is still running (any Orchestra status but the final ones). */
  running?: boolean;
  /** Only these agents (a zone's, say); an empty list matches none. */
  ids?: string[];
  /** Page size. @default 100 */
  limit?: number;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
}

/** Agents, newest first, one page at a time. */
export async function listAgents(
  client: Client,
  filter: AgentListFilter = {},
): Promise<Page<AgentListEntry>> {
  const clauses = ['WorkflowType="agentWorkflow"'];
  if (filter.status) clauses.push(`${OrchestraStatus.name}=${quote(filter.status)}`);
  if (filter.sessionId) clauses.push(`${OrchestraSessionId.name}=${quote(filter.sessionId)}`);
  if (filter.parentId) clauses.push(`${OrchestraParentId.name}=${quote(filter.parentId)}`);
  if (filter.workspaces) clauses.push(inClause(OrchestraWorkspace.name, filter.workspaces));
  if (filter.running) clauses.push('ExecutionStatus="Running"');
  if (filter.ids) clauses.push(inClause('WorkflowId', filter.ids.map(agentWorkflowId)));
  const page = await listPage(client, clauses.join(' AND '), filter.limit ?? 100, filter.cursor);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((wf) => {
      const sa = wf.typedSearchAttributes;
      const { status, ...where } = recorded(sa, wf.memo);
      return {
        id: wf.workflowId.replace(/^agent-/, ''),
        workflowId: wf.workflowId,
        ...where,
        status: (status as AgentStatus | undefined) ?? 'unknown',
        ...(sa.get(OrchestraCostUsd) === undefined ? {} : { costUsd: sa.get(OrchestraCostUsd) }),
        temporalStatus: wf.status.name,
        startedAt: wf.startTime.toISOString(),
        closedAt: wf.closeTime?.toISOString(),
      };
    }),
  };
}
