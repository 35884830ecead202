/** Failure types shared by activities (which raise them) and workflows (which react to them). */
export const ModelFailure = {
  rateLimited: 'ModelRateLimited',
  overloaded: 'ModelOverloaded',
  serverError: 'ModelServerError',
  connection: 'ModelConnectionError',
  rejected: 'ModelRequestRejected',
  /** This worker keeps a fleet-wide rate limit: its model calls go through the model queue, never locally or on the agent's queue. */
  notLocal: 'ModelCallNotLocal',
} as const;

/** The type of the failure an agent workflow ends with when the agent fails. */
export const AGENT_FAILED = 'AgentFailed';

/** A model failure's details: the wait the API asked for before the next attempt. */
export interface RetryAfter {
  retryAfterMs: number;
}
