/** The configuration of a swarm's agent: its template, filled in from the swarm's defaults. */
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_TUNING, type AgentConfig } from '../../src/domain/agent';
import { DEFAULT_LIMITS } from '../../src/domain/agent-limits';
import type { AgentTemplate } from '../../src/domain/agent-template';
import { resolveGovernance } from '../../src/domain/governance';
import { plannedAgents, type SwarmInput } from '../../src/domain/swarm';
import { DEFAULT_TOOLS } from '../../src/domain/tools';
import { reportEvery } from '../../src/domain/usage-report';

export function swarmAgentConfig(input: SwarmInput, t: AgentTemplate, role: string, n: number): AgentConfig {
  // The template was filled in from its registry entry when the swarm started; the entry
  // still gives the backend and the governance.
  const profile = t.agent ? input.profiles?.[t.agent] : undefined;
  const model = t.model ?? input.model;
  return {
    id: `${input.id}.${n}`,
    name: t.name ?? role,
    type: 'adhoc',
    model,
    ...(profile?.backend && profile.model === model ? { backend: profile.backend } : {}),
    ...(input.fallback ? { fallback: input.fallback } : {}),
    systemPrompt: t.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
    temperature: t.temperature,
    tools: t.tools ?? [...DEFAULT_TOOLS],
    cwd: input.cwd,
    ...(t.location ? { location: t.location } : {}),
    ...(t.toolsLocation ? { toolsLocation: t.toolsLocation } : {}),
    limits: agentLimits(t),
    tuning: { ...DEFAULT_TUNING, ...input.tuning },
    sessionId: input.sessionId,
    swarmId: input.id,
    workspace: input.workspace,
    owner: input.owner,
    depth: 0,
    context: input.context,
    ...(input.sessionBudgeted === undefined ? {} : { sessionBudgeted: input.sessionBudgeted }),
    ...(t.agent ? { profile: t.agent } : {}),
    ...resolveGovernance([profile?.governance, t], input.governance),
    lineage: [],
    reportEvery: reportEvery(input.budgets, plannedAgents(input)),
  };
}

export function agentLimits(t: AgentTemplate): AgentConfig['limits'] {
  return { ...DEFAULT_LIMITS, ...t.limits };
}
