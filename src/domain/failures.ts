/** Failure types shared by activities (which raise them) and workflows (which react to them). */
export const ModelFailure = {
  rateLimited: 'ModelRateLimited',
  overloaded: 'ModelOverloaded',
  serverError: 'ModelServerError',
  connection: 'ModelConnectionError',
  rejected: 'ModelRequestRejected',
} as const;

/** The type of the failure an agent workflow ends with when the agent fails. */
export const AGENT_FAILED = 'AgentFailed';
