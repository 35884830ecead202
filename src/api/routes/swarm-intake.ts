/** /api/v1/swarms/:id/agents and /close: grow a running parallel swarm, and close it. */
import { z } from 'zod';
import { agentTemplateSchema } from '../../domain';
import { inspectOwned } from '../access';
import { InvalidTransitionError } from '../../temporal/errors';
import { route, type ApiDeps, type Route } from '../route';
import { idParams } from '../schemas';

const addedAgent = z
  .object({
    swarmId: z.string(),
    id: z.string().describe("The new member's agent id (its workflow is agent-<id>)"),
    name: z.string(),
    role: z.string(),
  })
  .strict();

const closedSwarm = z
  .object({
    swarmId: z.string(),
    agents: z.number().int().describe('The members it waits for before it merges and ends'),
    queued: z
      .literal(true)
      .optional()
      .describe('No worker took it in time: it waits in the history and applies when one runs the swarm'),
  })
  .strict();

const closeBody = z.object({ reason: z.string().max(2000).optional() }).strict();

/** The swarm, if the caller owns it and it still runs (an ended one is refused from what the server holds). */
async function running(
  deps: ApiDeps,
  principal: Parameters<typeof inspectOwned>[1],
  id: string,
  what: string,
) {
  const inspection = await inspectOwned(deps, principal, 'swarm', id, what);
  if (inspection.temporalStatus !== 'RUNNING')
    throw new InvalidTransitionError(
      `cannot ${what} swarm ${id}: it has ended (${inspection.status ?? inspection.temporalStatus.toLowerCase()})`,
    );
}

export function swarmIntakeRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'post',
      path: '/swarms/:id/agents',
      tag: 'swarms',
      summary: 'Add an agent to a running parallel swarm (open or not); answers with its id',
      params: idParams,
      body: agentTemplateSchema,
      ok: { status: 201, description: 'Added: the member is starting', schema: addedAgent },
      errors: [400, 401, 403, 404, 409, 413, 503],
      async handle({ params, body, principal, res }) {
        await running(deps, principal, params.id, 'add an agent to');
        const added = await deps.orchestra.swarms.add(params.id, body);
        deps.feed.poke('swarm', params.id);
        res.location(`/api/v1/agents/${added.id}`);
        return added;
      },
    }),
    route({
      method: 'post',
      path: '/swarms/:id/close',
      tag: 'swarms',
      summary: 'Close a parallel swarm: it takes no more agents, and ends once the ones it has are done',
      params: idParams,
      body: closeBody,
      ok: { status: 202, description: 'Closed', schema: closedSwarm },
      errors: [400, 401, 403, 404, 409, 413, 503],
      async handle({ params, body, principal }) {
        await running(deps, principal, params.id, 'close');
        const closed = await deps.orchestra.swarms.close(params.id, body.reason);
        deps.feed.poke('swarm', params.id);
        return closed;
      },
    }),
  ];
}
