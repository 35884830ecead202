/** `orchestra session ...`: workspaces that own agents and swarms, with shared findings. */
import * as path from 'node:path';
import { Command } from 'commander';
import { webUiLink } from '../../config';
import { sessionWorkflowId, type SessionView } from '../../domain';
import type { Run } from '../context';
import { addControlCommands } from '../control-commands';
import { formatEntries } from '../format';

function formatSession(s: SessionView): string {
  const t = s.totals;
  return [
    `session   ${s.id} (${s.name}) · ${s.status}`,
    `cwd       ${s.cwd}`,
    `members   ${s.members.map((m) => `${m.kind} ${m.id}`).join(', ') || '(none)'}`,
    `totals    ${t.agents} agents · ${t.iterations} iterations · ${t.toolCalls} tool calls · ${t.tokens.input}/${t.tokens.output} tokens`,
    ...(s.directives ? [`directives ${s.directives}`] : []),
    ...s.findings.map((f) => `finding   (${f.from}) ${f.text}`),
  ].join('\n');
}

export function sessionCommand(run: Run): Command {
  const session = new Command('session').description(
    'workspaces that own agents and swarms, with shared findings',
  );

  session
    .command('create')
    .description('create a session; then `agent spawn --session <id>` and `swarm run --session <id>`')
    .option('--name <name>', 'a name to show')
    .option('--cwd <dir>', 'working directory', process.cwd())
    .option('--directives <text>', 'standing instructions every agent of the session gets')
    .option('--id <id>', 'session id (default: random); the workflow id is session-<id>')
    .option('--budget <usd>', 'most the session may spend, every agent counted (USD)', Number)
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const { id, workflowId } = await (
          await ctx.orchestra()
        ).sessions.create({
          name: o.name,
          cwd: path.resolve(o.cwd),
          directives: o.directives,
          id: o.id,
          budgetUsd: o.budget,
        });
        ctx.out(
          o.json
            ? JSON.stringify({ id, workflowId })
            : `created session ${id}\n${webUiLink(ctx.config, workflowId)}`,
        );
      }),
    );

  session
    .command('list')
    .description('list sessions, newest first')
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const { items: rows } = await (await ctx.orchestra()).sessions.list();
        ctx.out(o.json ? JSON.stringify(rows, null, 2) : formatEntries(rows, 'no sessions'));
      }),
    );

  session
    .command('status')
    .description("a session's members, totals and findings")
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (ctx) => {
        const view = await (await ctx.orchestra()).sessions.status(id);
        ctx.out(o.json ? JSON.stringify(view, null, 2) : formatSession(view));
      }),
    );

  addControlCommands(session, run, {
    what: 'session',
    scope: 'everything in it',
    workflowId: sessionWorkflowId,
    control: async (ctx, id, action, payload) =>
      (await ctx.orchestra()).sessions.control(id, action, payload),
  });

  return session;
}
