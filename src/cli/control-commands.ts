/** `pause`, `resume` and `cancel` subcommands, the same for swarms and sessions. */
import type { Command } from 'commander';
import type { AgentStatus } from '../domain';
import type { CliContext } from './context';

type Run = (action: (ctx: CliContext) => Promise<number | void>) => Promise<void>;

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
  ) => Promise<{ status: AgentStatus }>;
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
          const before = await target.control(ctx, id, action, payload);
          ctx.out(
            `${action} sent to ${target.what} ${id} (was ${before.status}); workflow ${target.workflowId(id)}`,
          );
        }),
      );
  }
}
