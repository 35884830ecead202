/**
 * Swarm collapse: while a parallel or graph swarm runs, each branch (a member agent) is scored
 * from what it does, and weak ones are cancelled by policy. The settings, the score and the
 * decisions live here, pure; workflows/swarm/collapse.ts applies them on a timer.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import type { ProgressReport } from './branch-progress';

export const COLLAPSE_POLICIES = ['off', 'below-score', 'keep-best'] as const;
export type CollapsePolicy = (typeof COLLAPSE_POLICIES)[number];

export const collapseSchema = lazy(() =>
  z
    .object({
      policy: z
        .enum(COLLAPSE_POLICIES)
        .default('below-score')
        .describe(
          '"below-score": cancel branches scoring under minScore; "keep-best": cancel the weakest until keepAtLeast are left; "off": score nothing',
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
        .describe('Branches never collapsed below this count (running ones and completed ones)'),
      stallSeconds: z
        .number()
        .int()
        .min(1)
        .max(86_400)
        .default(120)
        .describe('Seconds without progress (a change, a todo done) a branch may take unpenalised'),
    })
    .strict(),
);
export type CollapseSettings = z.infer<typeof collapseSchema>;

/**
 * Tokens a branch may spend per useful change (and before its first) unpenalised: input
 * tokens count the whole context at every call, so a change a few turns in costs this much.
 */
export const TOKENS_PER_CHANGE = 500_000;
/** Identical calls forgiven before repetition counts: reading a file twice is no loop. */
export const REPEATS_FORGIVEN = 2;
/** Tool errors forgiven before they count: a first wrong path is no failure. */
export const ERRORS_FORGIVEN = 1;
/** A component under this is named in a reason. */
const WEAK = 0.9;

/** One running branch as the controller sees it. */
export interface Branch {
  id: string;
  /** Workflow time (ms since the epoch) it started. */
  startedAt: number;
  /** Time held (the swarm or the branch paused, or waiting for a person) ended then: no stall before it. */
  heldUntil?: number;
  /** Its latest usage report (src/domain/protocol-payloads.ts `usagePayload`); absent until it reports. */
  report?: {
    tokens: { input: number; output: number };
    toolCalls: number;
    progress?: ProgressReport;
  };
}

/** Each in 0..1, 1 when the branch does nothing wrong on that count. The score is their product. */
export interface ScoreComponents {
  /** 1 - (identical calls since its last change, beyond REPEATS_FORGIVEN) / calls. */
  repetition: number;
  /** 1 - (tool errors beyond ERRORS_FORGIVEN) / calls. */
  errors: number;
  /** 1 until stallSeconds without progress, then stallSeconds / time without progress. */
  stall: number;
  /** 1 until TOKENS_PER_CHANGE per (change + 1), then that over the tokens spent per (change + 1). */
  efficiency: number;
}

export interface BranchScore {
  score: number;
  components: ScoreComponents;
  /** The weak components in words, weakest first ("14 repeated identical calls"). */
  weaknesses: string[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const clamp01 = (n: number): number => Math.min(1, Math.max(0, n));

/**
 * A branch's score in 0..1, the product of its components: one failing count (a loop, every
 * call an error, a long stall) sinks it whatever the others say.
 */
export function scoreBranch(
  branch: Branch,
  now: number,
  settings: Pick<CollapseSettings, 'stallSeconds'>,
): BranchScore {
  const calls = branch.report?.toolCalls ?? 0;
  const p = branch.report?.progress;
  const repeated = p?.repeatedCalls ?? 0;
  const errors = p?.toolErrors ?? 0;
  const changes = p?.changes ?? 0;
  const tokens = (branch.report?.tokens.input ?? 0) + (branch.report?.tokens.output ?? 0);
  const since = Math.max(p?.progressAt ?? branch.startedAt, branch.heldUntil ?? 0);
  const idleSeconds = Math.max(0, (now - since) / 1000);
  const share = (n: number, forgiven: number) => (calls > 0 ? Math.max(0, n - forgiven) / calls : 0);
  const components: ScoreComponents = {
    repetition: round2(clamp01(1 - share(repeated, REPEATS_FORGIVEN))),
    errors: round2(clamp01(1 - share(errors, ERRORS_FORGIVEN))),
    stall: round2(idleSeconds <= settings.stallSeconds ? 1 : settings.stallSeconds / idleSeconds),
    efficiency: round2(Math.min(1, (TOKENS_PER_CHANGE * (changes + 1)) / Math.max(1, tokens))),
  };
  const said: Record<keyof ScoreComponents, string> = {
    repetition: `${repeated} repeated identical call${repeated === 1 ? '' : 's'}`,
    errors: `${errors} tool error${errors === 1 ? '' : 's'} in ${calls} calls`,
    stall: `no progress for ${Math.round(idleSeconds)} s`,
    efficiency: changes
      ? `${Math.round(tokens / changes / 1000)}k tokens per change`
      : `${Math.round(tokens / 1000)}k tokens and no change`,
  };
  const weaknesses = (Object.keys(components) as Array<keyof ScoreComponents>)
    .filter((k) => components[k] < WEAK)
    .sort((a, b) => components[a] - components[b])
    .map((k) => said[k]);
  const score = round2(Object.values(components).reduce((a, b) => a * b, 1));
  return { score, components, weaknesses };
}

export interface CollapseDecision {
  agentId: string;
  score: number;
  components: ScoreComponents;
  /** For a person: the score, the rule it broke, and its weakest components. */
  reason: string;
}

/**
 * Which running branches to cancel now, weakest first. Never one younger than one `every`
 * period or that has not reported yet (it had no fair chance); never below `keepAtLeast`
 * branches running or completed. "below-score" cancels those under minScore; "keep-best"
 * cancels the weakest until keepAtLeast are left, whatever their scores.
 */
export function collapseDecisions(
  branches: { running: Branch[]; completed: number },
  now: number,
  settings: CollapseSettings,
): CollapseDecision[] {
  if (settings.policy === 'off') return [];
  const scored = branches.running
    .filter((b) => b.report && now - b.startedAt >= settings.every * 1000)
    .map((b, order) => ({ branch: b, order, ...scoreBranch(b, now, settings) }))
    // Weakest first; among equals, the later started (the earlier has done more of the work).
    .sort((a, b) => a.score - b.score || b.order - a.order);
  let alive = branches.running.length + branches.completed;
  const decisions: CollapseDecision[] = [];
  for (const s of scored) {
    if (alive <= settings.keepAtLeast) break;
    const below = s.score < settings.minScore;
    if (settings.policy === 'below-score' && !below) break;
    const rule = below
      ? `score ${s.score} < ${settings.minScore}`
      : `score ${s.score}, not among the ${settings.keepAtLeast} best`;
    const why = s.weaknesses.slice(0, 2).join(', ');
    decisions.push({
      agentId: s.branch.id,
      score: s.score,
      components: s.components,
      reason: `collapsed: ${rule}${why ? ` (${why})` : ''}`,
    });
    alive -= 1;
  }
  return decisions;
}
