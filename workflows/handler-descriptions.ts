/**
 * What each signal, query and Update does, in the words the Temporal Web UI shows beside it
 * (the workflow's metadata) and `temporal workflow metadata` prints. One entry per name: a
 * name means the same on an agent, a swarm, a session and a cost ledger.
 */
const DESCRIPTIONS = {
  pause:
    'Pause: an agent stops at its next step boundary; a swarm or session pauses all its agents. Input: {"reason"?: string}',
  resume:
    'Resume a paused agent, swarm or session (an ended agent may be resumed with a new task). Input: {"task"?: string}',
  cancel:
    'Cancel: the agent stops now, its model or tool call in flight cancelled; a swarm or session cancels all its agents. Input: {"reason"?: string}',
  message:
    'Send the agent a message: it reads it before its next model call, or starts its next turn with it. Input: {"content": string, "requestId"?: string}',
  approve:
    'Answer a pending approval of a tool call. Input: {"callId": string, "decision": "allow" | "deny", "note"?: string}',
  status:
    "The current view as JSON: status, task, tokens, tool calls, cost and result (members for a swarm or session, charges for a ledger, a workspace's zones and their agents for a zones store)",
  events: 'The event log after a sequence number. Input: {"after"?: number, "limit"?: number}',
  transcript: 'The whole conversation with the model, tool calls and results included',
  approvals: "The agent's tool calls waiting on a person's approval",
  modelContext:
    "Internal: the system prompt and conversation, for a model worker that does not hold the agent's context",
  usage: "Internal: an agent's usage report to its swarm or session (tokens, tool calls, cost), for budgets",
  broadcast: "Internal: an agent's broadcast, which the swarm passes on to its other agents",
  delegate:
    "Internal: a supervisor's delegation, for its swarm to run the worker in a tree of its own. Input: {id, name, task, worker?}",
  delegated: "Internal: the swarm's answer to a delegation: the worker's result, and where its work went",
  join: 'Internal: a client registers an agent or swarm it started in this session',
  finding: "Internal: an agent's report_finding, kept in the session's findings",
  close:
    'Close a session: it ends, and its agents and swarms carry on alone. Close a parallel swarm: it takes no more agents and ends once its agents are done. Input: {"reason"?: string}',
  addAgent:
    'Add an agent to a running parallel swarm; answers with its id. Input: {"agent": {"task"?, "name"?, "model"?, "tools"?, ...}} (a spec\'s agent template)',
  charge: "Internal: charge a model call's cost to this ledger or session, counted once per call",
  createZone:
    'Create a zone in this workspace; answers with the zone. Input: {"id": string, "name": string, "directory"?: string, "owner"?: string}',
  renameZone: 'Rename a zone (names are unique in a workspace). Input: {"id": string, "name": string}',
  deleteZone: 'Delete a zone; its agents are then in no zone. Input: {"id": string}',
  assignAgents:
    'Put agents in a zone (each leaves the zone it was in), or in none with "zoneId": null; "replace" makes them the zone\'s only agents. Input: {"zoneId": string | null, "agentIds": string[], "replace"?: boolean}',
} as const;

export type HandlerName = keyof typeof DESCRIPTIONS;

/** The handler options that carry `name`'s description. */
export const described = (name: HandlerName): { description: string } => ({
  description: DESCRIPTIONS[name],
});
