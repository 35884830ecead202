/** /api/v1/agents: spawn, list, inspect, control, and follow agents. */
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  listAgents,
  spawnAgent,
  type AgentListEntry,
} from '../../temporal/agents';
import { spawnRequestSchema, type ControlAction } from '../../domain';
import { inspectWorkflow } from '../../temporal/inspect';
import { control, inspectVisible, targetWorkspace } from '../access';
import { ApiError, notFound, toApiError } from '../errors';
import { canSee, visibleWorkspaces, type Principal } from '../principal';
import { route, type ApiDeps, type Route } from '../route';
import {
  acceptedResponse,
  agentEntry,
  agentListQuery,
  agentView,
  cancelBody,
  eventsQueryParams,
  eventsResponse,
  idParams,
  listOf,
  messageBody,
  pauseBody,
  resumeBody,
  startedResponse,
  transcriptResponse,
} from '../schemas';
import { sealedPage } from '../cursor';
import { streamAgent } from '../streams';
import { ownedSession } from './sessions';

const CONTROL_NOTE: Record<ControlAction, string> = {
  pause: 'the agent pauses at its next step boundary',
  resume: 'the agent carries on from where it stopped',
  cancel: 'the agent stops now, its model or tool call in flight included; its history is kept',
  message: 'delivered at the next step boundary',
};

/** Each list entry with its staleness; only running ones need a look. */
export async function withStaleness(deps: ApiDeps, items: AgentListEntry[]) {
  return Promise.all(
    items.map(async (item) => {
      if (item.temporalStatus !== 'RUNNING') return { ...item, stale: false };
      const inspection = await inspectWorkflow(
        deps.client,
        item.workflowId,
        () => notFound('agent', item.id),
        deps.staleAfterMs,
      ).catch(
        () => undefined, // closed between the listing and the look
      );
      return { ...item, ...(inspection?.staleness ?? { stale: false }) };
    }),
  );
}

const controlAgent = (
  deps: ApiDeps,
  action: ControlAction,
  principal: Principal,
  id: string,
  payload: object,
) =>
  control(deps, principal, 'agent', id, action, payload).then((done) => ({
    ...done,
    note: CONTROL_NOTE[action],
  }));

export function agentRoutes(deps: ApiDeps): Route[] {
  const errors = [400, 401, 404, 503];
  const controlErrors = [400, 401, 403, 404, 409, 413, 503];
  return [
    route({
      method: 'post',
      path: '/agents',
      tag: 'agents',
      summary: 'Spawn an agent (owned by you, in your workspace)',
      body: spawnRequestSchema,
      ok: { status: 201, description: 'Started', schema: startedResponse },
      errors: [400, 401, 403, 404, 409, 413, 503],
      async handle({ body, principal, res }) {
        let workspace = targetWorkspace(deps, principal, body.workspace);
        if (body.sessionId) {
          const session = await ownedSession(deps, principal, body.sessionId, 'add agents to');
          if (body.workspace && body.workspace !== session.workspace) {
            throw new ApiError(
              400,
              'bad_request',
              `session ${body.sessionId} lives in workspace "${session.workspace}"`,
            );
          }
          workspace = session.workspace ?? workspace;
        }
        if (body.swarmId)
          throw new ApiError(400, 'bad_request', 'swarmId is set by swarms; start a swarm instead');
        const started = await spawnAgent(
          deps.client,
          { ...deps.defaults, owner: principal.user, workspace },
          body,
        );
        res.location(`/api/v1/agents/${started.id}`);
        return { id: started.id, workflowId: started.workflowId, workspace, owner: principal.user };
      },
    }),
    route({
      method: 'get',
      path: '/agents',
      tag: 'agents',
      summary: 'List the agents of your workspaces, newest first',
      query: agentListQuery,
      ok: { status: 200, description: 'A page of agents', schema: listOf(agentEntry) },
      errors: [400, 401, 503],
      async handle({ query, principal }) {
        if (query.workspace && !canSee(principal, query.workspace)) return { items: [] };
        const filter = {
          status: query.status,
          sessionId: query.sessionId,
          workspaces: query.workspace ? [query.workspace] : visibleWorkspaces(principal),
        };
        const page = await sealedPage(deps.cursors, ['agents', filter], query.cursor, (cursor) =>
          listAgents(deps.client, { ...filter, limit: query.limit, cursor }),
        );
        return { ...page, items: await withStaleness(deps, page.items) };
      },
    }),
    route({
      method: 'get',
      path: '/agents/:id',
      tag: 'agents',
      summary: "An agent's status, progress, result, owner and staleness",
      params: idParams,
      ok: { status: 200, description: 'The agent', schema: agentView },
      errors,
      async handle({ params, principal }) {
        const inspection = await inspectVisible(deps, principal, 'agent', params.id);
        const live = { temporalStatus: inspection.temporalStatus, ...inspection.staleness };
        try {
          const view = await deps.client.withDeadline(Date.now() + deps.queryTimeoutMs, () =>
            agentStatus(deps.client, params.id),
          );
          return { ...view, ...live };
        } catch (err) {
          // The server answered the description but no worker answered the query: say what the
          // server knows (status, owner, staleness) rather than fail when it matters most.
          if (toApiError(err).status !== 503) throw err;
          return {
            id: params.id,
            status: inspection.status ?? 'unknown',
            workspace: inspection.workspace,
            owner: inspection.owner,
            ...live,
            partial: `no worker answered the status query within ${deps.queryTimeoutMs} ms`,
          };
        }
      },
    }),
    route({
      method: 'post',
      path: '/agents/:id/pause',
      tag: 'agents',
      summary: 'Pause a running or idle agent at its next step boundary',
      params: idParams,
      body: pauseBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: ({ params, body, principal }) => controlAgent(deps, 'pause', principal, params.id, body),
    }),
    route({
      method: 'post',
      path: '/agents/:id/resume',
      tag: 'agents',
      summary: 'Resume a paused agent, optionally with a new task',
      params: idParams,
      body: resumeBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: ({ params, body, principal }) => controlAgent(deps, 'resume', principal, params.id, body),
    }),
    route({
      method: 'post',
      path: '/agents/:id/message',
      tag: 'agents',
      summary: 'Send a message, delivered at the next step boundary',
      params: idParams,
      body: messageBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: ({ params, body, principal }) => controlAgent(deps, 'message', principal, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/agents/:id',
      tag: 'agents',
      summary: 'Cancel an agent (its history is kept)',
      params: idParams,
      body: cancelBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: ({ params, body, principal }) => controlAgent(deps, 'cancel', principal, params.id, body),
    }),
    route({
      method: 'get',
      path: '/agents/:id/events',
      tag: 'agents',
      summary: "The agent's events after a sequence number",
      params: idParams,
      query: eventsQueryParams,
      ok: { status: 200, description: 'Events, oldest first', schema: eventsResponse },
      errors,
      async handle({ params, query, principal }) {
        await inspectVisible(deps, principal, 'agent', params.id);
        const events = await agentEvents(deps.client, params.id, query.after, query.limit);
        return { events, last: events.at(-1)?.seq ?? query.after };
      },
    }),
    route({
      method: 'get',
      path: '/agents/:id/transcript',
      tag: 'agents',
      summary: 'The whole conversation with the model',
      params: idParams,
      ok: { status: 200, description: 'The transcript', schema: transcriptResponse },
      errors,
      async handle({ params, principal }) {
        await inspectVisible(deps, principal, 'agent', params.id);
        return { messages: await agentTranscript(deps.client, params.id) };
      },
    }),
    route({
      method: 'get',
      path: '/agents/:id/stream',
      tag: 'agents',
      summary: "Server-Sent Events: the agent's events as they happen, partial model text included",
      params: idParams,
      ok: { status: 200, description: 'An event stream; resume with Last-Event-ID', stream: true },
      errors,
      async handle({ params, principal, req, res }) {
        await inspectVisible(deps, principal, 'agent', params.id);
        await streamAgent(deps, params.id, req, res);
      },
    }),
  ];
}
