/**
 * Governance: the policy, budget and hooks an agent runs under, layered from the config
 * file's defaults, a registry entry and the request. Pure.
 */
import { resolveBudget, type Budget, type BudgetRequest } from './cost';
import { DEFAULT_HOOK_SETTINGS, type HookSettings } from './hook-settings';
import { resolvePolicy, stricterPolicy, type PolicyRequest, type ToolPolicy } from './policy';

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
