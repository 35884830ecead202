/** `orchestra swarm create | add | close`: a swarm that grows while it runs, and watching one. */
import { Command, Option } from 'commander';
import { DEFAULT_TOOLS, isTerminal, MERGES, NAMED_SCORERS, swarmWorkflowId } from '../../domain';
import { webUiLink } from '../../config';
import type { CliContext, Run } from '../context';
import { positiveInt } from '../arguments';
import { requestFrom, withRequestOptions } from './swarm-request';
import { liveRenderer, swarmSummary } from '../swarm-view';

/** The task an open swarm has when created without one: each agent added brings its own. */
const NO_TASK = 'an open swarm: each agent added to it brings its own task';

/** Show a swarm's agents live until it ends, then its outcome; the exit code says how it ended. */
export async function followSwarm(ctx: CliContext, id: string, json: boolean): Promise<number> {
  const orchestra = await ctx.orchestra();
  const render = liveRenderer(ctx.io.stdout);
  for (;;) {
    const status = await orchestra.swarms.status(id);
    if (!json) render(status);
    if (isTerminal(status.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const outcome = await orchestra.swarms.wait(id);
  ctx.out(json ? JSON.stringify(outcome, null, 2) : `\n${swarmSummary(outcome)}`);
  return outcome.status === 'completed' ? 0 : 1;
}

export function addIntakeCommands(
  swarm: Command,
  run: Run,
  parallelSpec: (strategy: 'parallel', task: string, o: Record<string, unknown>) => unknown,
): void {
  const create = swarm
    .command('create')
    .description(
      'start an open parallel swarm with no agents: add them with `swarm add`, end it with `swarm close`',
    )
    .option('--task <text>', "the swarm's task: what an agent added without --task works on")
    .addOption(
      new Option('--merge <merge>', 'how the results are merged once it is closed (all)').choices(MERGES),
    )
    .addOption(new Option('--scorer <name>', 'merge best: a named scorer').choices(NAMED_SCORERS))
    .option('--judge', 'merge best: a judge agent decides')
    .option('--rubric <text>', 'merge best: what the judge scores by', 'correctness, completeness, clarity');
  withRequestOptions(create, {
    maxSubagents: 'budget: agents in all (each added one counts)',
    isolation:
      'in a git repository: each coding agent in a worktree of its own (auto), or in a copy of cwd (copy)',
  })
    .option('--wait', 'show the agents live as they are added, until the swarm is closed and ends')
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const spec = {
          ...(parallelSpec('parallel', o.task ?? NO_TASK, o) as object),
          agents: [],
          open: true,
        };
        const { id, workflowId } = await (await ctx.orchestra()).swarms.start({ spec, ...requestFrom(o) });
        if (o.json && !o.wait) return void ctx.out(JSON.stringify({ id, workflowId }, null, 2));
        if (!o.json)
          ctx.out(
            `created open swarm ${id}: add agents with \`orchestra swarm add ${id} --task ...\`, ` +
              `end it with \`orchestra swarm close ${id}\`\n${webUiLink(ctx.config, workflowId)}`,
          );
        if (o.wait) return followSwarm(ctx, id, o.json === true);
      }),
    );

  swarm
    .command('add')
    .description('add an agent to a running parallel swarm (open or not); prints its id')
    .argument('<swarm-id>')
    .requiredOption('--task <text>', 'what the agent works on')
    .option('--name <name>', 'a name to show in lists')
    .option('--agent <name>', 'start from a registry entry (see `orchestra registry list`)')
    .option('--model <model>', "model (default: the swarm's)")
    .option('--tools <names>', `comma-separated tools (default: ${DEFAULT_TOOLS.join(',')})`)
    .option('--system <prompt>', 'system prompt')
    .option('--temperature <t>', 'sampling temperature, 0 to 1', Number)
    .option('--max-iterations <n>', 'most model calls', positiveInt)
    .option('--max-tool-calls <n>', 'most tool calls', positiveInt)
    .option('--max-tokens <n>', 'most input+output tokens in all', positiveInt)
    .option('--json', 'machine-readable output')
    .action((swarmId: string, o) =>
      run(async (ctx) => {
        const limits = {
          ...(o.maxIterations ? { maxIterations: o.maxIterations } : {}),
          ...(o.maxToolCalls ? { maxToolCalls: o.maxToolCalls } : {}),
          ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
        };
        const agent = {
          task: o.task,
          ...(o.name ? { name: o.name } : {}),
          ...(o.agent ? { agent: o.agent } : {}),
          ...(o.model ? { model: o.model } : {}),
          ...(o.tools
            ? {
                tools: String(o.tools)
                  .split(',')
                  .map((t) => t.trim()),
              }
            : {}),
          ...(o.system ? { systemPrompt: o.system } : {}),
          ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
          ...(Object.keys(limits).length ? { limits } : {}),
        };
        const added = await (await ctx.orchestra()).swarms.add(swarmId, agent);
        ctx.out(
          o.json
            ? JSON.stringify(added, null, 2)
            : `added agent ${added.id} (${added.name}) to swarm ${swarmId}; workflow agent-${added.id}`,
        );
      }),
    );

  swarm
    .command('close')
    .description('close a parallel swarm: it takes no more agents, and ends once the ones it has are done')
    .argument('<id>')
    .option('--reason <text>', 'why, for its events')
    .option('--wait', 'show the agents live until the swarm ends, then its outcome')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (ctx) => {
        const closed = await (await ctx.orchestra()).swarms.close(id, o.reason);
        if (o.json && !o.wait) return void ctx.out(JSON.stringify(closed, null, 2));
        if (!o.json)
          ctx.out(
            closed.queued
              ? `close queued for swarm ${id}: no worker answered in time; it applies when one runs it`
              : `closed swarm ${id}: it ends once its ${closed.agents} agents are done; workflow ${swarmWorkflowId(id)}`,
          );
        if (o.wait) return followSwarm(ctx, id, o.json === true);
      }),
    );
}
