/** /api/v1/workspaces: what runs in a workspace. */
import { ApiError } from '../errors';
import { canSee } from '../principal';
import { route, type ApiDeps, type Route } from '../route';
import { agentEntry, listOf, pageQuery, workspaceParams } from '../schemas';
import { withStaleness } from './agents';
import { sealedPage } from '../cursor';

export function workspaceRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/workspaces/:id/agent-sessions',
      tag: 'workspaces',
      summary: 'The agents running in a workspace (every owner), with their staleness',
      params: workspaceParams,
      query: pageQuery,
      ok: { status: 200, description: 'A page of running agents', schema: listOf(agentEntry) },
      errors: [400, 401, 404, 503],
      async handle({ params, query, principal }) {
        if (!canSee(principal, params.id))
          throw new ApiError(404, 'not_found', `no workspace "${params.id}" of yours`);
        const page = await sealedPage(deps.cursors, ['running', params.id], query.cursor, (cursor) =>
          deps.orchestra.agents.list({ workspaces: [params.id], running: true, limit: query.limit, cursor }),
        );
        return { ...page, items: await withStaleness(deps, page.items) };
      },
    }),
  ];
}
