/** The configuration of a swarm's agent: its template, filled in from the swarm's defaults. */
import {
  DEFAULT_LIMITS,
  DEFAULT_SYSTEM_PROMPT,
  DEFAULT_TOOLS,
  DEFAULT_TUNING,
  type AgentConfig,
  type AgentTemplate,
  type SwarmInput,
} from '../../src/domain';

export function swarmAgentConfig(input: SwarmInput, t: AgentTemplate, role: string, n: number): AgentConfig {
  return {
    id: `${input.id}.${n}`,
    name: t.name ?? role,
    type: 'adhoc',
    model: t.model ?? input.model,
    systemPrompt: t.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
    temperature: t.temperature,
    tools: t.tools ?? [...DEFAULT_TOOLS],
    cwd: input.cwd,
    limits: agentLimits(t),
    tuning: { ...DEFAULT_TUNING, ...input.tuning },
    sessionId: input.sessionId,
    swarmId: input.id,
    workspace: input.workspace,
    owner: input.owner,
    depth: 0,
    context: input.context,
  };
}

export function agentLimits(t: AgentTemplate): AgentConfig['limits'] {
  return { ...DEFAULT_LIMITS, ...t.limits };
}
