/** /api/v1/sessions: a workspace's long-lived sessions, which own agents and swarms. */
import { controlRoutes, type ControlText } from './control';
import { sessionRequestSchema } from '../../domain';
import { inspectVisible, targetWorkspace } from '../access';
import { visibleWorkspaces } from '../principal';
import { sealedPage } from '../cursor';
import { route, type ApiDeps, type Route } from '../route';
import { idParams, listOf, pageQuery, sessionEntry, sessionView, startedResponse } from '../schemas';

const CONTROL: ControlText = {
  pause: {
    summary: 'Pause a session and everything in it',
    note: 'every agent and swarm of the session pauses at its next step boundary',
  },
  resume: {
    summary: 'Resume a paused session and everything in it',
    note: 'every agent and swarm of the session carries on',
  },
  cancel: {
    summary: 'Cancel a session and everything in it (histories are kept)',
    note: 'every agent and swarm of the session is cancelled; their histories are kept',
  },
};

export function sessionRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'post',
      path: '/sessions',
      tag: 'sessions',
      summary: 'Create a session (owned by you, in your workspace)',
      body: sessionRequestSchema,
      ok: { status: 201, description: 'Created', schema: startedResponse },
      errors: [400, 401, 403, 409, 413, 503],
      async handle({ body, principal, res }) {
        const workspace = targetWorkspace(deps, principal, body.workspace);
        const { id, workflowId } = await deps.orchestra.sessions.create(body, {
          owner: principal.user,
          workspace,
        });
        res.location(`/api/v1/sessions/${id}`);
        return { id, workflowId, workspace, owner: principal.user };
      },
    }),
    route({
      method: 'get',
      path: '/sessions',
      tag: 'sessions',
      summary: 'List the sessions of your workspaces, newest first',
      query: pageQuery,
      ok: { status: 200, description: 'A page of sessions', schema: listOf(sessionEntry) },
      errors: [400, 401, 503],
      handle: ({ query, principal }) =>
        sealedPage(deps.cursors, ['sessions', visibleWorkspaces(principal)], query.cursor, (cursor) =>
          deps.orchestra.sessions.list({
            workspaces: visibleWorkspaces(principal),
            limit: query.limit,
            cursor,
          }),
        ),
    }),
    route({
      method: 'get',
      path: '/sessions/:id',
      tag: 'sessions',
      summary: 'A session: its members, findings and usage',
      params: idParams,
      ok: { status: 200, description: 'The session', schema: sessionView },
      errors: [400, 401, 404, 503],
      async handle({ params, principal }) {
        const inspection = await inspectVisible(deps, principal, 'session', params.id);
        return {
          ...(await deps.closedViews.view(inspection, (runId) =>
            deps.orchestra.sessions.status(params.id, runId),
          )),
          temporalStatus: inspection.temporalStatus,
        };
      },
    }),
    ...controlRoutes(deps, 'session', '/sessions', CONTROL),
  ];
}
