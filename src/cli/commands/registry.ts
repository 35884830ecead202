/** `orchestra registry list|show`: the named agent configs a spawn or a swarm spec can use. */
import { Command } from 'commander';
import { AgentRegistry, routeModel, UnknownAgentProfileError } from '../../domain';
import { loadOrchestraFile } from '../../config-file';
import type { Run } from '../context';

export function registryCommand(run: Run): Command {
  const registry = new Command('registry').description(
    'named agent configs: built-in specialists and your own',
  );
  registry
    .command('list')
    .description('every entry, with its model and autonomy')
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const { file, path } = loadOrchestraFile(ctx.config);
        const entries = new AgentRegistry(file).list().map((e) => ({
          ...e,
          model: routeModel(
            { agent: e.name, type: e.profile.type ?? 'adhoc', tier: e.profile.tier, model: e.profile.model },
            file.routing,
            ctx.config.model,
          ),
        }));
        if (o.json) return ctx.out(JSON.stringify(entries, null, 2));
        for (const e of entries) {
          const flags = [e.source, e.enabled ? '' : 'disabled'].filter(Boolean).join(', ');
          ctx.out(
            `${e.name.padEnd(12)} ${(e.profile.policy?.autonomy ?? 'full').padEnd(10)} ${e.model.model.padEnd(20)} ${e.profile.description} (${flags})`,
          );
        }
        ctx.out(
          path
            ? `\nuser entries from ${path}`
            : '\nno config file (set ORCHESTRA_CONFIG or add orchestra.config.json)',
        );
      }),
    );
  registry
    .command('show')
    .description('one entry in full: prompt, model, temperature, tools, autonomy')
    .argument('<name>')
    .action((name: string) =>
      run(async (ctx) => {
        const { file } = loadOrchestraFile(ctx.config);
        const all = new AgentRegistry(file).list();
        const entry = all.find((e) => e.name === name);
        if (!entry) {
          const known = all.map((e) => e.name).join(', ');
          throw new UnknownAgentProfileError(`no agent "${name}" in the registry; known: ${known}`);
        }
        const p = entry.profile;
        const model = routeModel(
          { agent: name, type: p.type ?? 'adhoc', tier: p.tier, model: p.model },
          file.routing,
          ctx.config.model,
        );
        ctx.out(JSON.stringify({ name, source: entry.source, enabled: entry.enabled, model, ...p }, null, 2));
      }),
    );
  return registry;
}
