/** What `swarm run` and `swarm create` both ask: budgets, where the agents work, the cache, the id. */
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { ISOLATIONS, type SwarmRequest } from '../../domain';
import { positiveInt } from '../arguments';

export function withRequestOptions(
  cmd: Command,
  notes: { maxSubagents: string; isolation: string },
): Command {
  return cmd
    .option('--max-subagents <n>', notes.maxSubagents, positiveInt)
    .option('--max-tool-calls <n>', 'budget: tool calls in all', positiveInt)
    .option('--max-tokens <n>', 'budget: tokens in all', positiveInt)
    .option('--cwd <dir>', 'working directory of every agent', process.cwd())
    .addOption(new Option('--isolation <mode>', notes.isolation).choices(ISOLATIONS))
    .option('--resolve', 'give a merge that conflicts to a resolver agent (worktrees)')
    .option('--no-cache', 'run every member, even one the result cache holds an answer for')
    .option('--model <model>', 'model for agents that name none (default: $ORCHESTRA_MODEL)')
    .option('--id <id>', 'swarm id (default: random); the workflow id is swarm-<id>')
    .option('--session <id>', 'run in this session');
}

/** The request those options make, but its spec. */
export function requestFrom(o: Record<string, unknown>): Omit<SwarmRequest, 'spec'> {
  return {
    cwd: path.resolve(o.cwd as string),
    id: o.id as string | undefined,
    model: o.model as string | undefined,
    budgets: {
      ...(o.maxSubagents ? { maxSubagents: o.maxSubagents as number } : {}),
      ...(o.maxToolCalls ? { maxToolCalls: o.maxToolCalls as number } : {}),
      ...(o.maxTokens ? { maxTokens: o.maxTokens as number } : {}),
    },
    sessionId: o.session as string | undefined,
    ...(o.isolation ? { isolation: o.isolation as SwarmRequest['isolation'] } : {}),
    ...(o.cache === false ? { cache: false } : {}),
    ...(o.resolve ? { resolve: true as const } : {}),
  };
}
