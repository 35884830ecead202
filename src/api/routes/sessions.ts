/** /api/v1/sessions: a workspace's long-lived sessions, which own agents and swarms. */
import { sessionRequestSchema } from '../../domain';
import { createSession, listSessions, sessionStatus } from '../../temporal/sessions';
import type { Inspection } from '../../temporal/inspect';
import { control, inspectOwned, inspectVisible, targetWorkspace } from '../access';
import { visibleWorkspaces, type Principal } from '../principal';
import { sealedPage } from '../cursor';
import { route, type ApiDeps, type Route } from '../route';
import {
  acceptedResponse,
  cancelBody,
  idParams,
  listOf,
  pageQuery,
  pauseBody,
  resumeBody,
  sessionEntry,
  sessionView,
  startedResponse,
} from '../schemas';

/** A session the caller owns: adding members to one is its owner's call ("Session Owner Required"). */
export function ownedSession(deps: ApiDeps, p: Principal, id: string, action: string): Promise<Inspection> {
  return inspectOwned(deps, p, 'session', id, action);
}

const NOTE = {
  pause: 'every agent and swarm of the session pauses at its next step boundary',
  resume: 'every agent and swarm of the session carries on',
  cancel: 'every agent and swarm of the session is cancelled; their histories are kept',
} as const;

export function sessionRoutes(deps: ApiDeps): Route[] {
  const controlErrors = [400, 401, 403, 404, 409, 413, 503];
  const controlHandler =
    (action: 'pause' | 'resume' | 'cancel') =>
    async (input: { params: { id: string }; body: object; principal: Principal }) => {
      const { id } = input.params;
      const done = await control(deps, input.principal, 'session', id, action, input.body);
      return { ...done, note: NOTE[action] };
    };
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
        const { id, workflowId } = await createSession(deps.client, deps.defaults.taskQueue, body, {
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
          listSessions(deps.client, { workspaces: visibleWorkspaces(principal), limit: query.limit, cursor }),
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
          ...(await sessionStatus(deps.client, params.id)),
          temporalStatus: inspection.temporalStatus,
        };
      },
    }),
    route({
      method: 'post',
      path: '/sessions/:id/pause',
      tag: 'sessions',
      summary: 'Pause a session and everything in it',
      params: idParams,
      body: pauseBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: controlHandler('pause'),
    }),
    route({
      method: 'post',
      path: '/sessions/:id/resume',
      tag: 'sessions',
      summary: 'Resume a paused session and everything in it',
      params: idParams,
      body: resumeBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: controlHandler('resume'),
    }),
    route({
      method: 'delete',
      path: '/sessions/:id',
      tag: 'sessions',
      summary: 'Cancel a session and everything in it (histories are kept)',
      params: idParams,
      body: cancelBody,
      ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
      errors: controlErrors,
      handle: controlHandler('cancel'),
    }),
  ];
}
