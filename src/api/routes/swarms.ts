/** /api/v1/swarms: start a swarm from a strategy spec, inspect it, control it, follow it. */
import { controlRoutes, type ControlText } from './control';
import { swarmRequestSchema } from '../../domain';
import { inspectVisible, placement } from '../access';
import { visibleWorkspaces } from '../principal';
import { sealedPage } from '../cursor';
import { route, type ApiDeps, type Route } from '../route';
import {
  eventsQueryParams,
  eventsResponse,
  idParams,
  listOf,
  pageQuery,
  sessionEntry,
  startedResponse,
  swarmView,
} from '../schemas';
import { streamSwarm } from '../streams';
import { swarmIntakeRoutes } from './swarm-intake';

const CONTROL: ControlText = {
  pause: {
    summary: 'Pause a swarm and its agents',
    note: 'every agent of the swarm pauses at its next step boundary, and no new one starts',
  },
  resume: { summary: 'Resume a paused swarm', note: 'the swarm and its agents carry on' },
  cancel: {
    summary: 'Cancel a swarm and its agents (histories are kept)',
    note: 'every agent of the swarm is cancelled now; histories are kept',
  },
};

export function swarmRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'post',
      path: '/swarms',
      tag: 'swarms',
      summary: 'Start a swarm: parallel, pipeline, debate, supervisor or graph',
      body: swarmRequestSchema,
      ok: { status: 201, description: 'Started', schema: startedResponse },
      errors: [400, 401, 403, 404, 409, 413, 503],
      async handle({ body, principal, res }) {
        const workspace = await placement(deps, principal, body, 'swarms');
        const { id, workflowId } = await deps.orchestra.swarms.start(body, {
          owner: principal.user,
          workspace,
        });
        res.location(`/api/v1/swarms/${id}`);
        return { id, workflowId, workspace, owner: principal.user };
      },
    }),
    route({
      method: 'get',
      path: '/swarms',
      tag: 'swarms',
      summary: 'List the swarms of your workspaces, newest first',
      query: pageQuery,
      ok: { status: 200, description: 'A page of swarms', schema: listOf(sessionEntry) },
      errors: [400, 401, 503],
      handle: ({ query, principal }) =>
        sealedPage(deps.cursors, ['swarms', visibleWorkspaces(principal)], query.cursor, (cursor) =>
          deps.orchestra.swarms.list({
            workspaces: visibleWorkspaces(principal),
            limit: query.limit,
            cursor,
          }),
        ),
    }),
    route({
      method: 'get',
      path: '/swarms/:id',
      tag: 'swarms',
      summary: 'A swarm: its agents, merge, stats and budgets',
      params: idParams,
      ok: { status: 200, description: 'The swarm', schema: swarmView },
      errors: [400, 401, 404, 503],
      async handle({ params, principal }) {
        const inspection = await inspectVisible(deps, principal, 'swarm', params.id);
        return {
          ...(await deps.closedViews.view(inspection, (runId) =>
            deps.orchestra.swarms.status(params.id, runId),
          )),
          workspace: inspection.workspace,
          owner: inspection.owner,
          temporalStatus: inspection.temporalStatus,
        };
      },
    }),
    route({
      method: 'get',
      path: '/swarms/:id/events',
      tag: 'swarms',
      summary: "The swarm's events after a sequence number",
      params: idParams,
      query: eventsQueryParams,
      ok: { status: 200, description: 'Events, oldest first', schema: eventsResponse },
      errors: [400, 401, 404, 503],
      async handle({ params, query, principal }) {
        await inspectVisible(deps, principal, 'swarm', params.id);
        const events = await deps.orchestra.swarms.events(params.id, query.after, query.limit);
        return { events, last: events.at(-1)?.seq ?? query.after };
      },
    }),
    route({
      method: 'get',
      path: '/swarms/:id/stream',
      tag: 'swarms',
      summary: "Server-Sent Events: the swarm's agents spawned, their status and tokens, kills",
      params: idParams,
      ok: { status: 200, description: 'An event stream; resume with Last-Event-ID', stream: true },
      errors: [400, 401, 404, 503],
      async handle({ params, principal, req, res }) {
        await inspectVisible(deps, principal, 'swarm', params.id);
        await streamSwarm(deps, params.id, req, res);
      },
    }),
    ...swarmIntakeRoutes(deps),
    ...controlRoutes(deps, 'swarm', '/swarms', CONTROL),
  ];
}
