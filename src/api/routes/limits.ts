/**
 * GET /api/v1/limits: the model-call limiter of a worker of the API's task queue, and the fleet's
 * rate (ORCHESTRA_MODEL_RPM) as the server keeps it. Any signed-in user may look: it holds
 * counts only, no workspace's data.
 */
import { limitsViewSchema } from '../../domain';
import { route, type ApiDeps, type Route } from '../route';

export function limitsRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'get',
      path: '/limits',
      tag: 'system',
      summary:
        "A worker's model-call limits: calls, waits, 429s and 529s, the limit now and any retry-after pause (each worker keeps its own); and the fleet's rate a minute, as the server keeps it",
      ok: { status: 200, description: "The answering worker's figures", schema: limitsViewSchema },
      errors: [401, 503],
      handle: () => deps.orchestra.limits(),
    }),
  ];
}
