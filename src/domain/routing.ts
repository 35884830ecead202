/**
 * Model routing (the seed's MultiBackendRouter): which model, on which backend, an agent
 * talks to. By registry entry (a tier or a model), by rule, and a fallback model for when
 * the primary is overloaded past its retries. Pure.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { AGENT_TYPES, type AgentType } from './agent-type';

export const TIERS = ['fast', 'balanced', 'strong'] as const;
export type Tier = (typeof TIERS)[number];

/** Cheap and quick for explorers, the strongest for the oracle; balanced is the default model. */
export const DEFAULT_TIER_MODELS: Partial<Record<Tier, string>> = {
  fast: 'claude-haiku-4-5',
  strong: 'claude-opus-4-5',
};

/** Built where used: a schema built at module load is built again at every workflow's start (lazy.ts). */
const target = () => ({
  model: z.string().min(1).max(200),
  backend: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,49}$/)
    .optional()
    .describe("A backend named in the config file's backends (default: ANTHROPIC_BASE_URL)"),
});
export const modelTargetSchema = lazy(() => z.object(target()).strict());
export type ModelTarget = z.infer<typeof modelTargetSchema>;

export const routingRuleSchema = lazy(() =>
  z
    .object({
      agent: z.string().min(1).max(50).optional().describe('A registry entry name'),
      type: z.enum(AGENT_TYPES).optional(),
      tier: z.enum(TIERS).optional(),
      ...target(),
    })
    .strict(),
);
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export const routingSchema = lazy(() =>
  z
    .object({
      tiers: z.partialRecord(z.enum(TIERS), z.string().min(1).max(200)).optional(),
      rules: z.array(routingRuleSchema).max(100).optional().describe('The first rule that matches wins'),
      fallback: modelTargetSchema.optional().describe('Used when the primary model stays overloaded (529)'),
    })
    .strict(),
);
export type Routing = z.infer<typeof routingSchema>;

export interface RouteQuery {
  /** The registry entry, when the agent was started from one. */
  agent?: string;
  type: AgentType;
  tier?: Tier;
  /** A model named by the request or the entry: it wins over rules and tiers. */
  model?: string;
}

/** The model (and backend) for an agent: explicit model, else the first matching rule, else the tier. */
export function routeModel(q: RouteQuery, routing: Routing = {}, defaultModel: string): ModelTarget {
  if (q.model) return { model: q.model };
  const tier = q.tier ?? 'balanced';
  const rule = (routing.rules ?? []).find(
    (r) =>
      (r.agent === undefined || r.agent === q.agent) &&
      (r.type === undefined || r.type === q.type) &&
      (r.tier === undefined || r.tier === tier),
  );
  if (rule) return { model: rule.model, ...(rule.backend ? { backend: rule.backend } : {}) };
  const model = routing.tiers?.[tier] ?? DEFAULT_TIER_MODELS[tier] ?? defaultModel;
  return { model };
}
