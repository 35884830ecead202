/** The control routes every kind shares: pause, resume, cancel (DELETE), and for agents, message. */
import type { ControlAction } from '../../domain';
import { control, type Kind } from '../access';
import { route, type ApiDeps, type Route } from '../route';
import { acceptedResponse, cancelBody, idParams, messageBody, pauseBody, resumeBody } from '../schemas';

const BODIES = { pause: pauseBody, resume: resumeBody, message: messageBody, cancel: cancelBody };

/** For each action offered: its one-line summary, and what happens (the answer's `note`). */
export type ControlText = Partial<Record<ControlAction, { summary: string; note: string }>>;

export function controlRoutes(deps: ApiDeps, kind: Kind, base: string, text: ControlText): Route[] {
  return (Object.entries(text) as Array<[ControlAction, { summary: string; note: string }]>).map(
    ([action, { summary, note }]) =>
      route({
        method: action === 'cancel' ? 'delete' : 'post',
        path: action === 'cancel' ? `${base}/:id` : `${base}/:id/${action}`,
        tag: `${kind}s`,
        summary,
        params: idParams,
        body: BODIES[action],
        ok: { status: 202, description: 'Accepted', schema: acceptedResponse },
        errors: [400, 401, 403, 404, 409, 413, 503],
        async handle({ params, body, principal }) {
          const done = await control(deps, principal, kind, params.id, action, body as object);
          return { ...done, note };
        },
      }),
  );
}
