/**
 * The names of the logged events an agent's stream and the feed send as SSE event names
 * (src/domain/feed.ts names them). EventSource hears only the names it is told, so both
 * streams listen for each.
 */
export const LOGGED_EVENTS = [
  'agent_spawned',
  'agent_status',
  'agent_killed',
  'agent_task',
  'tool_call',
  'tool_result',
  'message',
  'tokens',
  'approval_requested',
  'approval_answered',
  'denied',
  'hook',
  'budget',
  'model_fallback',
  'ignored',
  'continued_as_new',
] as const;
