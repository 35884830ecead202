/**
 * From a request to the configuration an agent runs with: the config file's defaults,
 * then the registry entry it names, then the request itself; the model by routing. Pure.
 */
import {
  DEFAULT_LIMITS,
  DEFAULT_SYSTEM_PROMPT,
  DEFAULT_TUNING,
  type AgentConfig,
  type AgentLimits,
  type AgentType,
  type SpawnRequest,
} from './agent';
import { resolveBudget, type Budget, type BudgetRequest } from './cost';
import { DEFAULT_HOOK_SETTINGS, type HookSettings } from './hook-settings';
import { resolvePolicy, stricterPolicy, type PolicyRequest, type ToolPolicy } from './policy';
import { AgentRegistry, type OrchestraFile } from './registry';
import { routeModel, type ModelTarget } from './routing';
import { DEFAULT_TOOLS, type ToolName } from './tools';
import type { AgentTemplate, SwarmSpec } from './swarm';

/** One layer of governance settings: file defaults, a registry entry, a request. */
export interface GovernanceLayer {
  policy?: PolicyRequest;
  budget?: BudgetRequest;
  hooks?: Partial<HookSettings>;
}

export interface Governance {
  policy: ToolPolicy;
  budget: Budget;
  hooks: HookSettings;
}

/** Later layers win; deny patterns, secret patterns and hook rules add up. */
export function resolveGovernance(layers: Array<GovernanceLayer | undefined>, base?: Governance): Governance {
  let policy = base?.policy ?? resolvePolicy();
  let budget = base?.budget ?? resolveBudget();
  let hooks = base?.hooks ?? DEFAULT_HOOK_SETTINGS;
  for (const layer of layers) {
    if (!layer) continue;
    policy = resolvePolicy(layer.policy, policy);
    budget = resolveBudget(layer.budget, budget);
    if (layer.hooks) {
      hooks = {
        ...hooks,
        ...layer.hooks,
        secretPatterns: [...hooks.secretPatterns, ...(layer.hooks.secretPatterns ?? [])],
        rules: [...hooks.rules, ...(layer.hooks.rules ?? [])],
      };
    }
  }
  return { policy, budget, hooks };
}

/**
 * What a subagent started from a registry entry runs with: the entry's governance over its
 * parent's, clamped so that delegating never loosens it (a model cannot shed its own policy
 * by delegating to a looser entry): the policy as in `stricterPolicy`, the smaller of each
 * spending limit, secret redaction on when either has it, the secret patterns and hook
 * rules of both.
 */
export function delegatedGovernance(parent: Governance, entry: GovernanceLayer): Governance {
  const child = resolveGovernance([entry], parent);
  const least = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  return {
    policy: stricterPolicy(parent.policy, child.policy),
    budget: {
      ...child.budget,
      agentUsd: least(parent.budget.agentUsd, child.budget.agentUsd),
      dailyUsd: least(parent.budget.dailyUsd, child.budget.dailyUsd),
    },
    hooks: {
      ...child.hooks,
      redactSecrets: parent.hooks.redactSecrets || child.hooks.redactSecrets,
      secretPatterns: [...new Set([...parent.hooks.secretPatterns, ...child.hooks.secretPatterns])],
    },
  };
}

/**
 * A subagent's limits: the entry's over its parent's, but no deeper nesting, no more
 * subagents of its own and no more tokens than the parent has.
 */
export function delegatedLimits(parent: AgentLimits, entry: Partial<AgentLimits> = {}): AgentLimits {
  const limits = { ...parent, ...entry };
  return {
    ...limits,
    maxDepth: Math.min(parent.maxDepth, limits.maxDepth),
    maxSubagents: Math.min(parent.maxSubagents, limits.maxSubagents),
    maxTokens: Math.min(parent.maxTokens, limits.maxTokens),
  };
}

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

export interface ResolveDefaults {
  id: string;
  model: string;
  owner?: string;
  /** The config file: registry, routing, defaults. */
  file?: OrchestraFile;
}

export function resolveAgentConfig(request: SpawnRequest, defaults: ResolveDefaults): AgentConfig {
  const file = defaults.file ?? {};
  const id = request.id ?? defaults.id;
  const profile = request.agent ? resolveProfile(request.agent, file, defaults.model) : undefined;
  const type = request.type ?? profile?.type ?? 'adhoc';
  const target: ModelTarget = request.model
    ? { model: request.model }
    : (profile ?? routeModel({ type }, file.routing, defaults.model));
  return {
    id,
    name: request.name ?? (profile ? `${profile.name}-${id}` : id),
    type,
    model: target.model,
    ...(target.backend ? { backend: target.backend } : {}),
    ...(file.routing?.fallback ? { fallback: file.routing.fallback } : {}),
    systemPrompt: request.systemPrompt ?? profile?.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
    temperature: request.temperature ?? profile?.temperature,
    tools: request.tools ?? profile?.tools ?? [...DEFAULT_TOOLS],
    cwd: request.cwd,
    limits: { ...DEFAULT_LIMITS, ...profile?.limits, ...request.limits },
    tuning: { ...DEFAULT_TUNING, ...request.tuning },
    sessionId: request.sessionId,
    swarmId: request.swarmId,
    workspace: request.workspace,
    owner: defaults.owner,
    depth: 0,
    ...(request.agent ? { profile: request.agent } : {}),
    ...resolveGovernance([file.defaults, profile?.governance, request]),
    lineage: [],
  };
}

/**
 * A swarm spec with every template that names a registry entry filled in from it (the
 * template's own fields win), and the entries it used.
 */
export function expandSpec<S extends SwarmSpec>(
  spec: S,
  file: OrchestraFile,
  defaultModel: string,
): { spec: S; profiles: Record<string, ResolvedProfile> } {
  const profiles: Record<string, ResolvedProfile> = {};
  const expand = <T extends AgentTemplate | undefined>(t: T): T => {
    if (!t?.agent) return t;
    const p = (profiles[t.agent] ??= resolveProfile(t.agent, file, defaultModel));
    const filled = {
      name: p.name,
      systemPrompt: p.systemPrompt,
      model: p.model,
      ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
      ...(p.tools ? { tools: p.tools } : {}),
      ...(p.limits ? { limits: p.limits } : {}),
    };
    return { ...filled, ...t, limits: { ...p.limits, ...t.limits } } as T;
  };
  const s = spec as SwarmSpec;
  switch (s.strategy) {
    case 'parallel': {
      const scorer =
        s.scorer && 'judge' in s.scorer ? { ...s.scorer, judge: expand(s.scorer.judge) } : s.scorer;
      return { spec: { ...s, agents: s.agents.map(expand), scorer } as S, profiles };
    }
    case 'pipeline':
      return { spec: { ...s, stages: s.stages.map(expand) } as S, profiles };
    case 'debate':
      return {
        spec: { ...s, participants: s.participants.map(expand), judge: expand(s.judge) } as S,
        profiles,
      };
    case 'supervisor':
      return { spec: { ...s, supervisor: expand(s.supervisor), worker: expand(s.worker) } as S, profiles };
  }
}
