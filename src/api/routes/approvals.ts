/** /api/v1/approvals: what agents wait on, at any depth, and a person's answer. */
import { z } from 'zod';
import { approvePayload, refIdSchema, workspaceIdSchema } from '../../domain';
import { inspectVisible } from '../access';
import { ApiError } from '../errors';
import { canControl, canSee, visibleWorkspaces, type Principal } from '../principal';
import { route, type ApiDeps, type Route } from '../route';

const approvalSchema = z
  .object({
    callId: z.string(),
    kind: z.enum(['tool', 'budget']),
    agentId: z.string(),
    agentName: z.string(),
    tool: z.string(),
    input: z.unknown(),
    reason: z.string(),
    requestedAt: z.string(),
    expiresAt: z.string().optional(),
    timeoutDecision: z.enum(['allow', 'deny']).optional(),
    lineage: z.array(z.string()).describe('The agents above the one asking, outermost first'),
    sessionId: z.string().optional(),
    swarmId: z.string().optional(),
    workspace: z.string().optional(),
    owner: z.string().optional(),
  })
  .strict();

const listQuery = z
  .object({
    agentId: refIdSchema.optional().describe("Only this agent's"),
    swarmId: refIdSchema.optional().describe('Only those beneath this swarm, at any depth'),
    sessionId: refIdSchema.optional().describe('Only those beneath this session, at any depth'),
    workspace: workspaceIdSchema.optional().describe('Only this workspace (one of yours)'),
  })
  .strict();

const callParams = z
  .object({ callId: refIdSchema.describe('The approval: a tool call id, or a budget stop') })
  .strict();

// Who answered comes from the token, never from the body.
const answerBody = approvePayload
  .omit({ callId: true, user: true })
  .extend({
    agentId: refIdSchema.optional().describe('The agent that asked, when the call id is not unique'),
  })
  .strict();

const answered = z
  .object({ callId: z.string(), agentId: z.string(), decision: z.enum(['allow', 'deny']) })
  .strict();

/**
 * Allow or deny a pending approval for `principal`, with the checks of POST /approvals/:callId
 * (the feed's `approve` too): strangers find nothing (404), only the agent's owner answers (403).
 */
export async function answerAs(
  deps: ApiDeps,
  principal: Principal,
  callId: string,
  body: { decision: 'allow' | 'deny'; note?: string; agentId?: string },
) {
  const { agentId, ...answer } = body;
  const approval = await deps.orchestra.approvals.find(callId, {
    agentId,
    workspaces: visibleWorkspaces(principal),
  });
  if (!canControl(principal, approval.owner)) {
    throw new ApiError(
      403,
      'forbidden',
      `only the agent's owner${approval.owner ? ` (${approval.owner})` : ''} may answer it`,
    );
  }
  await deps.orchestra.approvals.answer(approval, { ...answer, user: principal.user });
  deps.feed.poke('agent', approval.agentId);
  return { callId: approval.callId, agentId: approval.agentId, decision: answer.decision };
}

export function approvalRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/approvals',
      tag: 'approvals',
      summary: 'Pending approvals in your workspaces, or beneath an agent, swarm or session',
      query: listQuery,
      ok: {
        status: 200,
        description: 'Pending approvals, oldest first',
        schema: z.object({ items: z.array(approvalSchema) }).strict(),
      },
      errors: [400, 401, 404, 503],
      async handle({ query, principal }) {
        if (query.workspace && !canSee(principal, query.workspace)) return { items: [] };
        if (query.agentId) await inspectVisible(deps, principal, 'agent', query.agentId);
        const items = await deps.orchestra.approvals.list({
          agentId: query.agentId,
          swarmId: query.swarmId,
          sessionId: query.sessionId,
          workspaces: query.workspace ? [query.workspace] : visibleWorkspaces(principal),
        });
        return { items };
      },
    }),
    route({
      method: 'post',
      path: '/approvals/:callId',
      tag: 'approvals',
      summary: 'Allow or deny a pending approval (the agent carries on at once)',
      params: callParams,
      body: answerBody,
      ok: { status: 202, description: 'Sent to the agent', schema: answered },
      errors: [400, 401, 403, 404, 413, 503],
      handle: ({ params, body, principal }) => answerAs(deps, principal, params.callId, body),
    }),
  ];
}
