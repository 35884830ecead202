/** The kinds of agent: how one is started and whether it waits for messages. A leaf: routing and the registry import it. */
export const AGENT_TYPES = ['adhoc', 'background', 'subagent', 'interactive'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];
