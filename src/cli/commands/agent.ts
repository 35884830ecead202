/** `orchestra agent ...`: spawn, inspect and steer agents. */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import {
  AGENT_STATUSES,
  AGENT_TYPES,
  AUTONOMY_LEVELS,
  isTerminal,
  DEFAULT_TOOLS,
  type AgentStatus,
} from '../../domain';
import { webUiLink } from '../../config';
import { BadRequestError } from '../../temporal/errors';
import type { CliContext, Run } from '../context';
import { positiveInt, positiveNumber } from '../arguments';
import { controlLine } from '../control-commands';
import { followAgent } from '../follow';
import { liveLine, type LiveLine } from '../live-line';
import { formatEvent, formatList, formatResult, formatStatus } from '../format';

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * Watching an agent on a terminal: the live line, and Ctrl-C that stops the watching, not the
 * agent (it runs in Temporal), with how to come back to it.
 */
async function watching(
  ctx: CliContext,
  id: string,
  watch: (live: LiveLine) => Promise<void>,
): Promise<void> {
  const { stderr } = ctx.io;
  const live = liveLine(stderr);
  const stop = ctx.io.onInterrupt(() => {
    live.clear();
    stderr.write(
      `\nstopped watching; agent ${id} goes on. Watch it again: orchestra agent logs ${id} --follow · ` +
        `stop it: orchestra agent cancel ${id}\n`,
    );
  });
  try {
    await watch(live);
  } finally {
    stop();
  }
}

export function agentCommand(run: Run): Command {
  const agent = new Command('agent').description('spawn, inspect and steer agents');

  agent
    .command('spawn')
    .description('start an agent on a task')
    .argument('<task>', 'what the agent should do')
    .option('--name <name>', 'a name to show in lists and the Web UI')
    .option('--agent <name>', 'start from a registry entry (see `orchestra registry list`)')
    .addOption(new Option('--type <type>', 'agent type (default adhoc)').choices(AGENT_TYPES))
    .addOption(
      new Option('--autonomy <level>', "supervised, semi or full (default full, or the entry's)").choices(
        AUTONOMY_LEVELS,
      ),
    )
    .option('--budget <usd>', 'most this agent may spend, in USD', positiveNumber)
    .option('--model <model>', 'model name (default: $ORCHESTRA_MODEL)')
    .option('--cwd <dir>', 'working directory the tools are confined to', process.cwd())
    .option('--max-iterations <n>', 'most model calls', positiveInt)
    .option('--max-tool-calls <n>', 'most tool calls', positiveInt)
    .option('--max-tokens <n>', 'most input+output tokens in all', positiveInt)
    .option('--max-wall-clock <seconds>', 'fail it this long after its start', positiveInt)
    .option('--idle-timeout <seconds>', 'cancel it once it has waited this long for a message', positiveInt)
    .option('--temperature <t>', 'sampling temperature, 0 to 1', Number)
    .option('--tools <names>', `comma-separated tools to allow (default all: ${DEFAULT_TOOLS.join(',')})`)
    .option('--system <prompt>', 'system prompt')
    .option('--id <id>', 'agent id (default: random); the workflow id is agent-<id>')
    .option('--session <id>', "spawn into this session (it gets the session's directives and findings)")
    .option('--zone <id>', 'put it in this zone of its workspace (`orchestra zone list`)')
    .option('--location <queue>', "run it on this task queue's workers (default: $ORCHESTRA_TASK_QUEUE)")
    .option('--tools-location <queue>', "run its tools on this task queue's workers")
    .option('--wait', 'follow the agent live until it ends')
    .option('--json', 'machine-readable output')
    .action((task: string, o) =>
      run(async (ctx) => {
        const orchestra = await ctx.orchestra();
        const limits = {
          ...(o.maxIterations ? { maxIterations: o.maxIterations } : {}),
          ...(o.maxToolCalls ? { maxToolCalls: o.maxToolCalls } : {}),
          ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
          ...(o.maxWallClock ? { maxWallClockSeconds: o.maxWallClock } : {}),
          ...(o.idleTimeout ? { idleTimeoutSeconds: o.idleTimeout } : {}),
        };
        const { id, workflowId } = await orchestra.agents.spawn({
          task,
          id: o.id,
          name: o.name,
          type: o.type,
          model: o.model,
          systemPrompt: o.system,
          temperature: o.temperature,
          tools: o.tools?.split(',').map((t: string) => t.trim()),
          cwd: path.resolve(o.cwd),
          sessionId: o.session,
          zone: o.zone,
          location: o.location,
          toolsLocation: o.toolsLocation,
          agent: o.agent,
          ...(o.autonomy ? { policy: { autonomy: o.autonomy } } : {}),
          ...(o.budget ? { budget: { agentUsd: o.budget } } : {}),
          ...(Object.keys(limits).length ? { limits } : {}),
        });
        if (!o.wait) {
          ctx.out(
            o.json
              ? json({ id, workflowId })
              : `spawned agent ${id} (workflow ${workflowId})\n${webUiLink(ctx.config, workflowId)}`,
          );
          return;
        }
        if (!o.json) ctx.out(`agent ${id} · ${webUiLink(ctx.config, workflowId)}`);
        const follow = (live?: LiveLine) =>
          followAgent(orchestra, id, {
            onEvent: (e) => !o.json && ctx.out(formatEvent(e)),
            untilWaiting: true,
            live,
          });
        await (o.json ? follow() : watching(ctx, id, follow));
        const view = await orchestra.agents.status(id);
        const result = view.status === 'waiting_for_input' ? view : await orchestra.agents.wait(id);
        ctx.out(o.json ? json(result) : 'metrics' in result ? formatResult(result) : formatStatus(view));
        return view.status === 'completed' || view.status === 'waiting_for_input' ? 0 : 1;
      }),
    );

  agent
    .command('list')
    .description('list agents, newest first')
    .addOption(new Option('--status <status>', 'only agents in this status').choices(AGENT_STATUSES))
    .option('--session <id>', 'only agents of this session')
    .option('--parent <id>', 'only the subagents of this agent')
    .option('--workspace <id>', 'only agents of this workspace')
    .option('--zone <id>', 'only the agents of this zone')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const orchestra = await ctx.orchestra();
        const workspaces = o.workspace ? [o.workspace] : undefined;
        const zone = o.zone ? await orchestra.zones.get(o.zone, { workspaces }) : undefined;
        const { items: rows } = await orchestra.agents.list({
          status: o.status as AgentStatus | undefined,
          sessionId: o.session,
          parentId: o.parent,
          workspaces,
          ...(zone ? { ids: zone.agentIds } : {}),
          limit: o.limit,
        });
        ctx.out(o.json ? json(rows) : formatList(rows));
      }),
    );

  agent
    .command('status')
    .description("an agent's status, progress and result")
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (ctx) => {
        const view = await (await ctx.orchestra()).agents.status(id);
        ctx.out(o.json ? json(view) : formatStatus(view));
      }),
    );

  const control = (name: 'pause' | 'resume' | 'cancel', describe: string, option?: [string, string]) => {
    const cmd = agent
      .command(name)
      .description(describe)
      .argument('<id>')
      .option('--json', 'machine-readable output');
    if (option) cmd.option(option[0], option[1]);
    cmd.action((id: string, o) =>
      run(async (ctx) => {
        const payload =
          name === 'resume' ? (o.task ? { task: o.task } : {}) : o.reason ? { reason: o.reason } : {};
        const sent = await (await ctx.orchestra()).agents.control(id, name, payload);
        ctx.out(
          o.json
            ? json({ id, action: name, from: sent.status, to: sent.after, queued: sent.queued === true })
            : controlLine(name, `agent ${id}`, sent),
        );
      }),
    );
  };
  control('pause', 'pause at the next step boundary', ['--reason <text>', 'why, shown in status']);
  control('resume', 'resume a paused agent', ['--task <text>', 'a new task that continues the conversation']);
  control('cancel', 'cancel an agent (its in-flight call too)', [
    '--reason <text>',
    'why, shown in the events',
  ]);

  agent
    .command('message')
    .description('send the agent a message; it reads it at the next step')
    .argument('<id>')
    .argument('<text>')
    .option('--json', 'machine-readable output')
    .action((id: string, text: string, o) =>
      run(async (ctx) => {
        if (!text.trim()) throw new BadRequestError('the message is empty');
        const sent = await (await ctx.orchestra()).agents.message(id, text);
        ctx.out(
          o.json
            ? json({ id, action: 'message', from: sent.status, queued: sent.queued === true })
            : controlLine('message', `agent ${id}`, sent),
        );
      }),
    );

  agent
    .command('logs')
    .description("an agent's events: status changes, tool calls and results, messages, tokens")
    .argument('<id>')
    .option('-f, --follow', 'keep printing until the agent ends')
    .option('--after <seq>', 'only events after this sequence number', (v) => positiveInt(v), 0)
    .option('--json', 'one JSON event per line')
    .action((id: string, o) =>
      run(async (ctx) => {
        const orchestra = await ctx.orchestra();
        const print = (e: Parameters<typeof formatEvent>[0]) =>
          ctx.out(o.json ? JSON.stringify(e) : formatEvent(e));
        if (o.follow) {
          const follow = (live?: LiveLine) =>
            followAgent(orchestra, id, { after: o.after, onEvent: print, live });
          await (o.json ? follow() : watching(ctx, id, follow));
          return;
        }
        (await orchestra.agents.events(id, o.after)).forEach(print);
        const { status } = await orchestra.agents.status(id);
        if (!o.json && !isTerminal(status)) ctx.out(`(agent is ${status}; --follow to keep watching)`);
      }),
    );

  return agent;
}
