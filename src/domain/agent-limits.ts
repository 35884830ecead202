/** An agent's limits: their defaults, their schema, and which one a step has reached. A leaf. */
import { z } from 'zod';
import { lazy } from './lazy';

/** Defaults for every limit, in one place. */
export const DEFAULT_LIMITS = {
  /** Model calls per agent. @default 50 */
  maxIterations: 50,
  /** Tool calls per agent. @default 200 */
  maxToolCalls: 200,
  /** Input plus output tokens per agent. @default 2_000_000 */
  maxTokens: 2_000_000,
  /** `max_tokens` of each model call. @default 8192 */
  maxOutputTokens: 8192,
  /**
   * Characters of conversation sent to the model. The conversation travels in activity
   * inputs, and Temporal refuses payloads past 2 MB; this fails the agent cleanly first.
   * @default 1_500_000
   */
  maxContextChars: 1_500_000,
  /** Subagents one agent may start with the `task` tool. @default 10 */
  maxSubagents: 10,
  /** How deep subagents may nest: 0 allows none, 1 children, 2 grandchildren. @default 2 */
  maxDepth: 2,
} as const;

/**
 * The two timeouts, which have no entry in DEFAULT_LIMITS: what applies when an agent's limits
 * leave them out depends on who started it. 0 turns either off.
 *
 * `maxWallClockSeconds`: seconds from the agent's start, whatever it is doing (a model call, a
 * tool, a subagent, an approval, paused); then it ends `failed`. None for an agent a person
 * starts; {@link DEFAULT_TIMEOUTS.childWallClockSeconds} for one another agent or a swarm
 * starts, a supervisor excepted (its workers have theirs). Subagents inherit it with their
 * parent's other limits.
 *
 * `idleTimeoutSeconds`: seconds an agent may wait for a message (idle, or waiting_for_input at
 * the end of a turn; not while paused, nor for an approval, which has approvalTimeoutSeconds);
 * then it ends `cancelled`. A message or a resume starts it afresh. None by default.
 */
export const DEFAULT_TIMEOUTS = {
  /** maxWallClockSeconds of an agent started by another agent or a swarm. @default 600 */
  childWallClockSeconds: 600,
} as const;

/** Timer limits go up to 30 days. */
const MAX_TIMEOUT_SECONDS = 30 * 24 * 3600;

export const agentLimitsSchema = lazy(() =>
  z
    .object({
      maxIterations: z.number().int().min(1).max(10_000).describe('Most model calls the agent may make'),
      maxToolCalls: z.number().int().min(0).max(100_000).describe('Most tool calls the agent may make'),
      maxTokens: z.number().int().min(1).describe('Most input+output tokens the agent may spend'),
      maxOutputTokens: z.number().int().min(1).max(128_000).describe('max_tokens for each model call'),
      maxContextChars: z
        .number()
        .int()
        .min(1000)
        .max(1_800_000)
        .describe('Most characters of conversation per model call'),
      maxSubagents: z.number().int().min(0).max(1000).describe('Most subagents this agent may start'),
      maxDepth: z.number().int().min(0).max(10).describe('How deep subagents may nest below the first agent'),
      maxWallClockSeconds: z
        .number()
        .int()
        .min(0)
        .max(MAX_TIMEOUT_SECONDS)
        .optional()
        .describe('Seconds from its start after which the agent fails, whatever it is doing (0: none)'),
      idleTimeoutSeconds: z
        .number()
        .int()
        .min(0)
        .max(MAX_TIMEOUT_SECONDS)
        .optional()
        .describe('Seconds the agent may wait for a message before it is cancelled (0: none)'),
    })
    .strict(),
);
export type AgentLimits = z.infer<typeof agentLimitsSchema>;

/** Why the agent may not make another model call, if a limit says so. */
export function limitReached(
  limits: AgentLimits,
  spent: { iterations: number; tokens: { input: number; output: number }; contextChars: number },
): string | undefined {
  if (spent.iterations >= limits.maxIterations)
    return `limit reached: maxIterations (${limits.maxIterations})`;
  const { contextChars } = spent;
  if (contextChars > limits.maxContextChars)
    return `limit reached: maxContextChars (${limits.maxContextChars}); the conversation has ${contextChars}`;
  const tokens = spent.tokens.input + spent.tokens.output;
  if (tokens >= limits.maxTokens) return `limit reached: maxTokens (${limits.maxTokens}); used ${tokens}`;
  return undefined;
}
