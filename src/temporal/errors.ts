/**
 * The client layer's errors, each an OrchestraError whose code the CLI and the API turn
 * into an exit code and an HTTP status (src/domain/errors.ts).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { OrchestraError } from '../domain/errors';

/** The id named no agent, swarm or session (the API answers 404). */
export class NotFoundError extends OrchestraError {
  constructor(message?: string, options?: ErrorOptions) {
    super('not_found', message, options);
  }
}
export class AgentNotFoundError extends NotFoundError {}
export class SwarmNotFoundError extends NotFoundError {}
export class SessionNotFoundError extends NotFoundError {}
export class ZoneNotFoundError extends NotFoundError {}
/** The request is not allowed in the current status (the API answers 409). */
export class InvalidTransitionError extends OrchestraError {
  constructor(message?: string, options?: ErrorOptions) {
    super('invalid_transition', message, options);
  }
}
/** The request itself is malformed (the API answers 400). */
export class BadRequestError extends OrchestraError {
  constructor(message?: string, options?: ErrorOptions) {
    super('bad_request', message, options);
  }
}

/** Run `fn`, turning Temporal's "no such workflow" into `error`. */
export async function known<T>(error: () => Error, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError')
      throw error();
    throw err;
  }
}

/** A chosen id that is taken (the API's 409, as Temporal's own "already started"). */
export class IdTakenError extends InvalidTransitionError {
  override readonly code = 'already_exists';
}

/**
 * Agents and swarms name their members `<id>.<n>`, so an agent and a swarm may not share an
 * id: the one started second is refused (another workspace's swarm `x` would otherwise start
 * its members under the ids of agent `x`'s subagents). `other` is the other kind's workflow id.
 */
export async function refuseSharedId(
  client: { workflow: { getHandle(id: string): { describe(): Promise<unknown> } } },
  id: string | undefined,
  other: string,
): Promise<void> {
  if (id === undefined) return; // a made-up id: 8 random hex digits
  const exists = await client.workflow
    .getHandle(other)
    .describe()
    .then(
      () => true,
      (err: unknown) => {
        if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError')
          return false;
        throw err;
      },
    );
  if (exists) throw new IdTakenError('that id is taken: choose another, or leave it out');
}
