/** /api/v1/agents: spawn, list, inspect, control, and follow agents. */
import { controlRoutes, type ControlText } from './control';
import type { AgentListEntry } from '../../temporal/agents';
import { spawnRequestSchema, type SpawnRequest } from '../../domain';
import { inspectWorkflow } from '../../temporal/inspect';
import { inspectVisible, placement } from '../access';
import { agentViewWithin } from '../agent-view';
import { ApiError, notFound } from '../errors';
import { canSee, visibleWorkspaces, type Principal } from '../principal';
import { route, type ApiDeps, type Route } from '../route';
import {
  agentEntry,
  agentListQuery,
  agentView,
  eventsQueryParams,
  eventsResponse,
  idParams,
  listOf,
  startedResponse,
  transcriptResponse,
} from '../schemas';
import { sealedPage } from '../cursor';
import { streamAgent } from '../streams';
import { ownedZone, visibleZone } from './zones';

const CONTROL: ControlText = {
  pause: {
    summary: 'Pause a running or idle agent at its next step boundary',
    note: 'the agent pauses at its next step boundary',
  },
  resume: {
    summary: 'Resume a paused agent, optionally with a new task',
    note: 'the agent carries on from where it stopped',
  },
  message: {
    summary: 'Send a message, delivered at the next step boundary',
    note: 'delivered at the next step boundary',
  },
  cancel: {
    summary: 'Cancel an agent (its history is kept)',
    note: 'the agent stops now, its model or tool call in flight included; its history is kept',
  },
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

/** Spawn for `principal` with the checks of POST /agents (the feed's `spawn_agent` too): placement, swarm, zone. */
export async function spawnAs(deps: ApiDeps, principal: Principal, body: SpawnRequest) {
  const workspace = await placement(deps, principal, body, 'agents');
  if (body.swarmId) throw new ApiError(400, 'bad_request', 'swarmId is set by swarms; start a swarm instead');
  // A zone of the agent's workspace, and the caller's to fill (PUT /zones/:id/agents).
  if (body.zone) await ownedZone(deps, principal, body.zone, 'assign agents to', [workspace]);
  const started = await deps.orchestra.agents.spawn(body, { owner: principal.user, workspace });
  return {
    id: started.id,
    workflowId: started.workflowId,
    workspace,
    owner: principal.user,
    ...(body.zone ? { zone: body.zone } : {}),
  };
}

export function agentRoutes(deps: ApiDeps): Route[] {
  const errors = [400, 401, 404, 503];
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
        const started = await spawnAs(deps, principal, body);
        res.location(`/api/v1/agents/${started.id}`);
        return started;
      },
    }),
    route({
      method: 'get',
      path: '/agents',
      tag: 'agents',
      summary: 'List the agents of your workspaces, newest first',
      query: agentListQuery,
      ok: { status: 200, description: 'A page of agents', schema: listOf(agentEntry) },
      errors: [400, 401, 404, 503], // 404: `zone` names no zone you may see
      async handle({ query, principal }) {
        if (query.workspace && !canSee(principal, query.workspace)) return { items: [] };
        const workspaces = query.workspace ? [query.workspace] : visibleWorkspaces(principal);
        const zone = query.zone ? await visibleZone(deps, principal, query.zone, workspaces) : undefined;
        const filter = {
          status: query.status,
          sessionId: query.sessionId,
          workspaces,
          ...(zone ? { ids: zone.agentIds } : {}),
        };
        const page = await sealedPage(deps.cursors, ['agents', filter], query.cursor, (cursor) =>
          deps.orchestra.agents.list({ ...filter, limit: query.limit, cursor }),
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
      handle: ({ params, principal }) => agentViewWithin(deps, principal, params.id),
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
        const events = await deps.orchestra.agents.events(params.id, query.after, query.limit);
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
        return { messages: await deps.orchestra.agents.transcript(params.id) };
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
    ...controlRoutes(deps, 'agent', '/agents', CONTROL),
  ];
}
