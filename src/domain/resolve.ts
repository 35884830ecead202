/**
 * From a request to the configuration an agent runs with: the config file's defaults,
 * then the registry entry it names, then the request itself; the model by routing. Pure.
 */
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_TUNING, type AgentConfig, type SpawnRequest } from './agent';
import { DEFAULT_LIMITS, type AgentLimits } from './agent-limits';
import { resolveGovernance } from './governance';
import { resolveProfile, type ResolvedProfile } from './profile';
import type { OrchestraFile } from './registry';
import { routeModel, type ModelTarget } from './routing';
import { DEFAULT_TOOLS } from './tools';
import type { AgentTemplate, SwarmSpec } from './swarm';

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
    ...(request.location ? { location: request.location } : {}),
    ...(request.toolsLocation ? { toolsLocation: request.toolsLocation } : {}),
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
    return expandTemplate(t, (profiles[t.agent] ??= resolveProfile(t.agent, file, defaultModel)));
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
    case 'supervisor': {
      const workers = s.workers?.map(expand);
      const worker = expand(s.worker);
      return { spec: { ...s, supervisor: expand(s.supervisor), worker, workers } as S, profiles };
    }
    case 'graph': {
      const planner = s.planner && { ...s.planner, agent: expand(s.planner.agent) };
      return {
        spec: { ...s, nodes: s.nodes?.map(expand), planner, worker: expand(s.worker) } as S,
        profiles,
      };
    }
  }
}

/** A template that names a registry entry, filled in from it: the template's own fields win. */
export function expandTemplate<T extends AgentTemplate>(t: T, p: ResolvedProfile): T {
  const filled = {
    name: p.name,
    systemPrompt: p.systemPrompt,
    model: p.model,
    ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
    ...(p.tools ? { tools: p.tools } : {}),
    ...(p.limits ? { limits: p.limits } : {}),
  };
  return { ...filled, ...t, limits: { ...p.limits, ...t.limits } };
}
