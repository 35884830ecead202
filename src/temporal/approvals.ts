/**
 * Pending approvals, found wherever they are: one agent's, or every agent's beneath a swarm
 * or a session at any depth (subagents carry their swarm and session ids), and answered by
 * the `approve` signal. The CLI and the API both use these.
 */
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { agentWorkflowId, approvePayload, type PendingApproval } from '../domain';
import { approvalsQuery } from '../../workflows/protocol';
import { agentStatus } from './agents';
import { sendControl, type ControlSent } from './control';
import { AgentNotFoundError, BadRequestError, known, NotFoundError } from './errors';
import { parseRequest } from './parse-request';
import {
  OrchestraApprovals,
  OrchestraSessionId,
  OrchestraStatus,
  OrchestraSwarmId,
  OrchestraWorkspace,
} from '../domain/search-attributes';
import { inClause, quote } from './visibility';

export interface ApprovalScope {
  agentId?: string;
  swarmId?: string;
  sessionId?: string;
  /** Only these workspaces (the API's caller); absent: all. */
  workspaces?: string[];
}

/** Agents that may hold approvals: running, and waiting for input. */
function waitingQuery(scope: ApprovalScope): string {
  const clauses = ['ExecutionStatus = "Running"', `${OrchestraStatus.name} = "waiting_for_input"`];
  if (scope.swarmId) clauses.push(`${OrchestraSwarmId.name} = ${quote(scope.swarmId)}`);
  if (scope.sessionId) clauses.push(`${OrchestraSessionId.name} = ${quote(scope.sessionId)}`);
  if (scope.workspaces) clauses.push(inClause(OrchestraWorkspace.name, scope.workspaces));
  return clauses.join(' AND ');
}

/** The pending approvals of one agent. */
export function agentApprovals(client: Client, agentId: string): Promise<PendingApproval[]> {
  return known(
    () => new AgentNotFoundError(`no agent with id "${agentId}"`),
    () => client.workflow.getHandle(agentWorkflowId(agentId)).query(approvalsQuery),
  );
}

/** How long the list waits on one agent's answer: a waiting agent answers from its worker's cache. */
const APPROVALS_QUERY_MS = 5_000;

/** Every pending approval in scope, oldest first. */
export async function listApprovals(client: Client, scope: ApprovalScope = {}): Promise<PendingApproval[]> {
  if (scope.agentId) {
    const own = await agentApprovals(client, scope.agentId);
    return own.filter((a) => !scope.workspaces || scope.workspaces.includes(a.workspace ?? ''));
  }
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: waitingQuery(scope), pageSize: 200 })) {
    if (wf.workflowId.startsWith('agent-')) ids.push(wf.workflowId);
    if (ids.length >= 1000) break;
  }
  // Each under a deadline: a query that meets its agent as it ends can wait out the server's
  // query timeout (30 s, look.ts), and one agent must not hold up the whole list.
  const lists = await Promise.all(
    ids.map(
      (id) =>
        client
          .withDeadline(Date.now() + APPROVALS_QUERY_MS, () =>
            client.workflow.getHandle(id).query(approvalsQuery),
          )
          .catch(() => [] as PendingApproval[]), // ended between the listing and the query
    ),
  );
  return lists.flat().sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

/** The agent holding approval `callId`: by search attribute, else by asking the waiting agents. */
export async function findApproval(
  client: Client,
  callId: string,
  scope: ApprovalScope = {},
): Promise<PendingApproval> {
  if (!scope.agentId) {
    const holders: string[] = [];
    const query = `ExecutionStatus = "Running" AND ${OrchestraApprovals.name} = ${quote(callId)}`;
    for await (const wf of client.workflow.list({ query, pageSize: 10 })) holders.push(wf.workflowId);
    if (holders.length > 1) {
      const agents = holders.map((h) => h.replace(/^agent-/, '')).join(', ');
      throw new BadRequestError(
        `approval "${callId}" is pending at several agents (${agents}): name the agent`,
      );
    }
    if (holders.length === 1) scope = { ...scope, agentId: holders[0].replace(/^agent-/, '') };
  }
  // The search attribute trails the workflow by a moment: ask the agents themselves too.
  const found = (await listApprovals(client, scope)).filter((a) => a.callId === callId);
  if (found.length === 0) throw new NotFoundError(`no pending approval "${callId}"`);
  if (found.length > 1) {
    const agents = found.map((a) => a.agentId).join(', ');
    throw new BadRequestError(
      `approval "${callId}" is pending at several agents (${agents}): name the agent`,
    );
  }
  return found[0];
}

export const answerSchema = approvePayload.omit({ callId: true });
export type Answer = z.infer<typeof answerSchema>;

/**
 * Send the answer to the agent that holds the approval, as an Update: the agent takes it, or
 * refuses it (answered already, or timed out a moment before: an InvalidTransitionError).
 */
export async function answerApproval(
  client: Client,
  approval: PendingApproval,
  raw: unknown,
): Promise<ControlSent> {
  const answer = parseRequest(answerSchema, raw, 'answer');
  return known(
    () => new AgentNotFoundError(`agent ${approval.agentId} has ended`),
    () =>
      sendControl(
        'agent',
        'approve',
        { callId: approval.callId, ...answer },
        () => agentStatus(client, approval.agentId),
        () => client.workflow.getHandle(agentWorkflowId(approval.agentId)),
      ),
  );
}
