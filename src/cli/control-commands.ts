/** `pause`, `resume` and `cancel` subcommands, the same for swarms and sessions. */
import type { Command } from 'commander';
import type { ControlSent } from '../temporal/control';
import type { CliContext, Run } from './context';

export interface ControlTarget {
  /** "swarm" or "session", as people say it. */
  what: string;
  /** What else the request reaches, for the help text. */
  scope: string;
  workflowId: (id: string) => string;
  control: (
    ctx: CliContext,
    id: string,
    action: 'pause' | 'resume' | 'cancel',
    payload: object,
  ) => Promise<ControlSent>;
}

export function addControlCommands(parent: Command, run: Run, target: ControlTarget): void {
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    parent
      .command(action)
      .description(`${action} a ${target.what} and ${target.scope}`)
      .argument('<id>')
      .option('--reason <text>', 'why')
      .action((id: string, o) =>
        run(async (ctx) => {
          const payload = o.reason && action !== 'resume' ? { reason: o.reason } : {};
          const sent = await target.control(ctx, id, action, payload);
          ctx.out(`${controlLine(action, `${target.what} ${id}`, sent)}; workflow ${target.workflowId(id)}`);
        }),
      );
  }
}

/** What became of a request: taken (from which status to which), or queued for a worker. */
export function controlLine(action: string, target: string, sent: ControlSent): string {
  if (sent.queued)
    return `${action} queued for ${target} (was ${sent.status}): no worker answered in time; it applies when one runs it`;
  const now = sent.after && sent.after !== sent.status ? `, now ${sent.after}` : '';
  return `${action} taken by ${target} (was ${sent.status}${now})`;
}
