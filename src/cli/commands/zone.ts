/** `orchestra zone ...`: a workspace's named groups of agents, as the dashboard draws them. */
import { Command } from 'commander';
import type { Zone } from '../../domain';
import type { Run } from '../context';

const json = (value: unknown) => JSON.stringify(value, null, 2);

function formatZone(z: Zone): string {
  const where = z.directory ? ` · ${z.directory}` : '';
  const agents = z.agentIds.length ? z.agentIds.join(', ') : '(no agents)';
  return `${z.id}  ${z.name}  [${z.workspace}]${where}\n  agents: ${agents}`;
}

export function zoneCommand(run: Run): Command {
  const zone = new Command('zone').description(
    "named groups of a workspace's agents (by project or directory); an agent is in at most one",
  );
  const workspaceOption = '--workspace <id>';
  const workspaceText = 'the workspace (default: $ORCHESTRA_WORKSPACE)';

  zone
    .command('create')
    .description('create a zone; then `zone assign <zone> <agent...>` or `agent spawn --zone <zone>`')
    .argument('<name>', 'what it is called (unique in its workspace)')
    .option('--dir <directory>', 'the project directory it stands for')
    .option(workspaceOption, workspaceText)
    .option('--json', 'machine-readable output')
    .action((name: string, o) =>
      run(async (ctx) => {
        const created = await (
          await ctx.orchestra()
        ).zones.create({ name, directory: o.dir, workspace: o.workspace });
        ctx.out(
          o.json ? json(created) : `created zone ${created.id} (${created.name}) in ${created.workspace}`,
        );
      }),
    );

  zone
    .command('list')
    .description('zones with their agents, of one workspace or of all')
    .option(workspaceOption, 'only this workspace (default: every workspace)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const zones = await (
          await ctx.orchestra()
        ).zones.list({ workspaces: o.workspace ? [o.workspace] : undefined });
        ctx.out(o.json ? json(zones) : zones.map(formatZone).join('\n') || 'no zones');
      }),
    );

  zone
    .command('rename')
    .argument('<id>')
    .argument('<name>')
    .option(workspaceOption, workspaceText)
    .option('--json', 'machine-readable output')
    .action((id: string, name: string, o) =>
      run(async (ctx) => {
        const renamed = await (await ctx.orchestra()).zones.rename(id, name, { workspace: o.workspace });
        ctx.out(o.json ? json(renamed) : `zone ${id} is now "${renamed.name}"`);
      }),
    );

  zone
    .command('delete')
    .description('delete a zone; its agents are then in no zone (they keep running)')
    .argument('<id>')
    .option(workspaceOption, workspaceText)
    .option('--json', 'machine-readable output')
    .action((id: string, o) =>
      run(async (ctx) => {
        const deleted = await (await ctx.orchestra()).zones.remove(id, { workspace: o.workspace });
        ctx.out(
          o.json
            ? json(deleted)
            : `deleted zone ${id} (${deleted.name}); ${deleted.agentIds.length} agents are in no zone now`,
        );
      }),
    );

  zone
    .command('assign')
    .description('put agents in a zone (each leaves the zone it was in)')
    .argument('<id>', 'the zone')
    .argument('<agents...>', 'agent ids')
    .option('--only', "make them the zone's only agents (the others leave it)")
    .option(workspaceOption, workspaceText)
    .option('--json', 'machine-readable output')
    .action((id: string, agents: string[], o) =>
      run(async (ctx) => {
        const changed = await (
          await ctx.orchestra()
        ).zones.assign(id, agents, { workspace: o.workspace, replace: o.only === true });
        const zone = changed.find((z) => z.id === id);
        ctx.out(o.json ? json(changed) : zone ? formatZone(zone) : `zone ${id} unchanged`);
      }),
    );

  zone
    .command('unassign')
    .description('take agents out of their zones')
    .argument('<agents...>', 'agent ids')
    .option(workspaceOption, workspaceText)
    .action((agents: string[], o) =>
      run(async (ctx) => {
        await (await ctx.orchestra()).zones.unassign(agents, { workspace: o.workspace });
        ctx.out(`${agents.join(', ')}: in no zone`);
      }),
    );

  return zone;
}
