/**
 * The collapse controller's settings: while a swarm runs, each branch is scored from what it
 * does, and weak ones are cancelled by policy. Pure: workflows import it.
 * (Scoring lives here too once built: workflows/swarm/collapse.ts applies it.)
 */
import { z } from 'zod';
import { lazy } from './lazy';

export const COLLAPSE_POLICIES = ['off', 'below-score', 'keep-best'] as const;
export type CollapsePolicy = (typeof COLLAPSE_POLICIES)[number];

export const collapseSchema = lazy(() =>
  z
    .object({
      policy: z
        .enum(COLLAPSE_POLICIES)
        .default('below-score')
        .describe(
          '"below-score": cancel branches scoring under minScore; "keep-best": keep only the keepAtLeast best',
        ),
      minScore: z
        .number()
        .min(0)
        .max(1)
        .default(0.3)
        .describe('A branch scoring under it may be collapsed (0..1)'),
      every: z.number().int().min(1).max(3600).default(30).describe('Seconds between two scorings'),
      keepAtLeast: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(1)
        .describe('Branches never collapsed below this count'),
    })
    .strict(),
);
export type CollapseSettings = z.infer<typeof collapseSchema>;
