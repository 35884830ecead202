/** Errors the CLI and the API turn into exit codes and HTTP statuses. */
import { WorkflowNotFoundError } from '@temporalio/client';

/** The id named no agent, swarm or session (the API answers 404). */
export class NotFoundError extends Error {}
export class AgentNotFoundError extends NotFoundError {}
export class SwarmNotFoundError extends NotFoundError {}
export class SessionNotFoundError extends NotFoundError {}
/** The request is not allowed in the current status (the API answers 409). */
export class InvalidTransitionError extends Error {}
/** The request itself is malformed (the API answers 400). */
export class BadRequestError extends Error {}

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
