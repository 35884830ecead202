/** `orchestra swarm ...`: run teams of agents and steer them. */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  COLLAPSE_POLICIES,
  DECOMPOSITIONS,
  MERGES,
  NAMED_SCORERS,
  ON_FAILURE,
  STRATEGIES,
  swarmWorkflowId,
  type Strategy,
} from '../../domain';
import { webUiLink } from '../../config';
import { BadRequestError } from '../../temporal/agents';
import type { Run } from '../context';
import { positiveInt } from '../arguments';
import { requestFrom, withRequestOptions } from './swarm-request';
import { addControlCommands } from '../control-commands';
import { formatEntries } from '../format';
import { swarmSummary, swarmTable } from '../swarm-view';
import { addIntakeCommands, followSwarm } from './swarm-intake';

const score = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};

const EXAMPLES = `
Strategies, each with an example spec (--spec file.json; options build the same):

  parallel    the same task (or one each) to N agents; merge first | all | vote | best
    orchestra swarm run parallel "What is 17*23?" --agents 5 --merge vote
    {"strategy":"parallel","task":"Fix the flaky test","merge":"best",
     "agents":[{"name":"a"},{"name":"b","model":"claude-haiku-4-5"}],
     "scorer":{"judge":{"name":"judge"},"rubric":"passes, smallest diff"}}

  pipeline    stages in order; each stage's output is the next one's input
    orchestra swarm run pipeline "Explain our retry policy" --stages research,draft,edit,review
    {"strategy":"pipeline","task":"Write the release notes",
     "stages":[{"name":"research","tools":["read_file","grep","list_files"]},{"name":"draft"},{"name":"edit"}]}

  supervisor  a supervisor splits the task and delegates to workers (several at once)
    orchestra swarm run supervisor "Add tests for every module in src/" --max-concurrent 4 --max-workers 10
    {"strategy":"supervisor","task":"Port the scripts to Python",
     "worker":{"tools":["read_file","write_file","bash"]},"maxConcurrent":3,"maxWorkers":8}
    distinct workers, delegated to by name: "workers":[{"name":"coder","description":"writes code"},
     {"name":"tester","description":"writes and runs tests","model":"claude-haiku-4-5"}]

  debate      rounds of arguments, each seeing the others'; then a judge, or a vote
    orchestra swarm run debate "Should we vendor our dependencies?" --agents 3 --rounds 2 --judge
    {"strategy":"debate","task":"Monorepo or not?","rounds":2,
     "participants":[{"name":"pro"},{"name":"con"}],"judge":{"name":"judge"}}

  graph       subtasks with dependencies: each starts when its inputs are done (up to
              --max-concurrent at once) and receives their results; a planner makes the graph
              (--by domain | data | stage | none) unless the spec gives its nodes
    orchestra swarm run graph "Add a /health route with tests and docs" --by domain --max-nodes 4
    {"strategy":"graph","task":"Ship the CSV export","maxConcurrent":3,"onFailure":"skip",
     "nodes":[{"id":"api","task":"Add GET /export.csv"},{"id":"ui","task":"Add an Export button"},
              {"id":"tests","task":"Test the export end to end","dependsOn":["api","ui"]}]}

A swarm that grows: \`swarm create\` starts an open parallel swarm with no agents, \`swarm add <id> --task ...\`
adds one while it runs (any running parallel swarm takes them), \`swarm close <id>\` ends the intake; it
merges its agents' results once they are done.

Budgets for the whole swarm (every agent at any depth): --max-subagents (100), --max-tool-calls (1500),
--max-tokens (10000000), twice as much per agent for a parallel swarm of more than 50. An exceeded
budget stops the swarm with its reason.

Collapse (parallel and graph): every --collapse-every seconds each running agent is scored from what
it does (repeated identical calls, tool errors, time without progress, tokens per change) and weak
ones are cancelled, each with its reason; an agent in a worktree keeps its work on its branch.
    orchestra swarm run parallel "Fix the flaky test" --agents 4 --collapse below-score --min-score 0.3
    {"strategy":"parallel","task":"...","agents":[{},{},{}],
     "collapse":{"policy":"keep-best","every":60,"keepAtLeast":2}}`;

export function swarmCommand(run: Run): Command {
  const swarm = new Command('swarm')
    .description('run teams of agents: parallel, pipeline, supervisor, debate, graph')
    .addHelpText('after', EXAMPLES);

  const runCommand = swarm
    .command('run')
    .description('start a swarm')
    .argument('[strategy]', `one of ${STRATEGIES.join(', ')} (or from --spec)`)
    .argument('[task]', 'what the swarm works on (or from --spec)')
    .option('--spec <file>', 'a JSON spec (see `orchestra swarm --help`)')
    .option('--agents <n>', 'parallel: agents (3); debate: participants (2)', positiveInt)
    .addOption(new Option('--merge <merge>', 'parallel: how to merge').choices(MERGES))
    .addOption(new Option('--scorer <name>', 'parallel, merge best: a named scorer').choices(NAMED_SCORERS))
    .option('--judge', 'parallel (merge best) and debate: a judge agent decides')
    .option(
      '--rubric <text>',
      'parallel, merge best: what the judge scores by',
      'correctness, completeness, clarity',
    )
    .option('--stages <names>', 'pipeline: comma-separated stage names', 'research,draft,edit,review')
    .option('--rounds <n>', 'debate: rounds', positiveInt)
    .option('--max-concurrent <n>', 'supervisor: workers at once; graph: subtasks at once', positiveInt)
    .option('--max-workers <n>', 'supervisor: workers in all', positiveInt)
    .addOption(new Option('--by <how>', 'graph: how the planner decomposes the task').choices(DECOMPOSITIONS))
    .option('--max-nodes <n>', 'graph: subtasks the planner may make', positiveInt)
    .addOption(
      new Option(
        '--on-failure <policy>',
        'graph: a failed subtask stops the graph, or skips what needs it',
      ).choices(ON_FAILURE),
    )
    .addOption(
      new Option(
        '--collapse <policy>',
        'parallel and graph: score the running agents and cancel weak ones (below-score)',
      ).choices(COLLAPSE_POLICIES),
    )
    .option('--min-score <n>', 'collapse: an agent scoring under it (0..1) may be cancelled (0.3)', score)
    .option('--collapse-every <seconds>', 'collapse: seconds between two scorings (30)', positiveInt)
    .option('--keep-at-least <n>', 'collapse: agents never cancelled below this count (1)', positiveInt)
    .option('--stall-seconds <n>', 'collapse: seconds without progress an agent may take (120)', positiveInt);
  withRequestOptions(runCommand, {
    maxSubagents: 'budget: agents in all',
    isolation:
      'parallel and graph: each coding agent in a worktree of its own (auto: in a git repository), or in a copy of cwd (copy)',
  })
    .option('--wait', 'show the agents live until the swarm ends')
    .option('--json', 'machine-readable output')
    .action((strategy: string | undefined, task: string | undefined, o) =>
      run(async (ctx) => {
        const spec = withCollapse(
          o.spec ? await specFromFile(o.spec, strategy, task) : specFromOptions(strategy, task, o),
          o,
        );
        const orchestra = await ctx.orchestra();
        const { id, workflowId } = await orchestra.swarms.start({ spec, ...requestFrom(o) });
        if (!o.wait) {
          ctx.out(
            o.json
              ? JSON.stringify({ id, workflowId }, null, 2)
              : `started swarm ${id}\n${webUiLink(ctx.config, workflowId)}`,
          );
          return;
        }
        if (!o.json) ctx.out(`swarm ${id} · ${webUiLink(ctx.config, workflowId)}`);
        return followSwarm(ctx, id, o.json === true);
      }),
    );

  swarm
    .command('list')
    .description('list swarms, newest first')
    .option('--workspace <id>', 'only swarms of this workspace')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const { items: rows } = await (
          await ctx.orchestra()
        ).swarms.list({ workspaces: o.workspace ? [o.workspace] : undefined, limit: o.limit });
        ctx.out(o.json ? JSON.stringify(rows, null, 2) : formatEntries(rows, 'no swarms'));
      }),
    );

  swarm
    .command('status')
    .description("a swarm's agents, totals and result")
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (ctx) => {
        const status = await (await ctx.orchestra()).swarms.status(id);
        ctx.out(
          o.json
            ? JSON.stringify(status, null, 2)
            : [...swarmTable(status), '', swarmSummary(status)].join('\n'),
        );
      }),
    );

  addIntakeCommands(swarm, run, specFromOptions);

  addControlCommands(swarm, run, {
    what: 'swarm',
    scope: 'every agent in it, at any depth',
    workflowId: swarmWorkflowId,
    control: async (ctx, id, action, payload) => (await ctx.orchestra()).swarms.control(id, action, payload),
  });

  return swarm;
}

/** The collapse options over the spec's own `collapse`, for the strategies that take it. */
function withCollapse(spec: unknown, o: Record<string, unknown>): unknown {
  const given = {
    ...(o.collapse !== undefined ? { policy: o.collapse } : {}),
    ...(o.minScore !== undefined ? { minScore: o.minScore } : {}),
    ...(o.collapseEvery !== undefined ? { every: o.collapseEvery } : {}),
    ...(o.keepAtLeast !== undefined ? { keepAtLeast: o.keepAtLeast } : {}),
    ...(o.stallSeconds !== undefined ? { stallSeconds: o.stallSeconds } : {}),
  };
  if (Object.keys(given).length === 0) return spec;
  const s = spec as Record<string, unknown>;
  if (s.strategy !== 'parallel' && s.strategy !== 'graph')
    throw new BadRequestError(`collapse applies to parallel and graph swarms, not ${String(s.strategy)}`);
  return { ...s, collapse: { ...(s.collapse as object | undefined), ...given } };
}

async function specFromFile(file: string, strategy?: string, task?: string): Promise<unknown> {
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new BadRequestError(`cannot read the spec ${file}: ${(err as Error).message}`);
  }
  if (strategy && spec.strategy !== strategy)
    throw new BadRequestError(`the spec's strategy is ${String(spec.strategy)}, not ${strategy}`);
  return task ? { ...spec, task } : spec;
}

export function specFromOptions(
  strategy: string | undefined,
  task: string | undefined,
  o: Record<string, unknown>,
): unknown {
  if (!strategy || !task) throw new BadRequestError('give a strategy and a task, or --spec file.json');
  if (!(STRATEGIES as readonly string[]).includes(strategy)) {
    throw new BadRequestError(`unknown strategy "${strategy}"; one of ${STRATEGIES.join(', ')}`);
  }
  switch (strategy as Strategy) {
    case 'parallel': {
      const merge = (o.merge as string | undefined) ?? (o.judge || o.scorer ? 'best' : 'all');
      const scorer = o.judge
        ? { judge: { name: 'judge' }, rubric: o.rubric }
        : o.scorer
          ? { named: o.scorer }
          : undefined;
      const agents = Array.from({ length: (o.agents as number | undefined) ?? 3 }, (_, i) => ({
        name: `agent ${i + 1}`,
      }));
      return { strategy, task, merge, agents, ...(scorer ? { scorer } : {}) };
    }
    case 'pipeline':
      return {
        strategy,
        task,
        stages: String(o.stages)
          .split(',')
          .map((name) => ({ name: name.trim() })),
      };
    case 'debate': {
      const participants = Array.from({ length: (o.agents as number | undefined) ?? 2 }, (_, i) => ({
        name: `participant ${i + 1}`,
      }));
      return {
        strategy,
        task,
        participants,
        ...(o.rounds ? { rounds: o.rounds } : {}),
        ...(o.judge ? { judge: { name: 'judge' } } : {}),
      };
    }
    case 'supervisor':
      return {
        strategy,
        task,
        ...(o.maxConcurrent ? { maxConcurrent: o.maxConcurrent } : {}),
        ...(o.maxWorkers ? { maxWorkers: o.maxWorkers } : {}),
      };
    case 'graph':
      // From options, a planner makes the graph; a graph given whole comes with --spec.
      return {
        strategy,
        task,
        planner: { ...(o.by ? { by: o.by } : {}), ...(o.maxNodes ? { maxNodes: o.maxNodes } : {}) },
        ...(o.maxConcurrent ? { maxConcurrent: o.maxConcurrent } : {}),
        ...(o.onFailure ? { onFailure: o.onFailure } : {}),
      };
  }
}
