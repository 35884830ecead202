/** A registry entry made concrete for an agent: its model routed, its governance layer. Pure. */
import type { AgentType } from './agent-type';
import type { AgentLimits } from './agent-limits';
import type { GovernanceLayer } from './governance';
import { AgentRegistry, type OrchestraFile } from './registry';
import { routeModel } from './routing';
import type { ToolName } from './tools';

/** A registry entry made concrete: its model routed, ready to fill in an agent. */
export interface ResolvedProfile {
  name: string;
  systemPrompt: string;
  model: string;
  backend?: string;
  temperature?: number;
  tools?: ToolName[];
  type?: AgentType;
  limits?: Partial<AgentLimits>;
  governance: GovernanceLayer;
}

export function resolveProfile(name: string, file: OrchestraFile, defaultModel: string): ResolvedProfile {
  const { profile } = new AgentRegistry(file).get(name);
  const target = routeModel(
    { agent: name, type: profile.type ?? 'adhoc', tier: profile.tier, model: profile.model },
    file.routing,
    defaultModel,
  );
  return {
    name,
    systemPrompt: profile.systemPrompt,
    ...target,
    temperature: profile.temperature,
    tools: profile.tools,
    type: profile.type,
    limits: profile.limits,
    governance: { policy: profile.policy, budget: profile.budget, hooks: profile.hooks },
  };
}
