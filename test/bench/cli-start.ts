/**
 * `npm run bench`, part "cli": what one `orchestra` command costs to start and run. The command
 * as installed (dist/src/cli/orchestra.js: the bundle and its code cache) beside the same program
 * as tsc built it (dist/src/cli/main.js), run in turns against one dev server: CPU (user + system,
 * read by the process itself at exit) and wall time, medians.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { addRow, ms, settings, times } from './report';
import { withServer } from './server';

const DIST = path.resolve(__dirname, '../../src/cli');
const INSTALLED = path.join(DIST, 'orchestra.js');
const AS_BUILT = path.join(DIST, 'main.js');
const RUNS = settings.quick ? 3 : 12;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One run of `node <entry> <args>`: its CPU and wall time in ms. */
async function once(entry: string, args: string[], env: NodeJS.ProcessEnv, probe: string, out: string) {
  const started = performance.now();
  await new Promise<void>((resolve) =>
    execFile(process.execPath, ['--require', probe, entry, ...args], { env }, () => resolve()),
  );
  const wall = performance.now() - started;
  const { user, system } = JSON.parse(await readFile(out, 'utf8')) as { user: number; system: number };
  return { cpu: (user + system) / 1000, wall };
}

export async function cliStart(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-bench-cli-'));
  const out = path.join(dir, 'cpu.json');
  const probe = path.join(dir, 'probe.js');
  await writeFile(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.cpuUsage())));`,
  );
  try {
    await withServer({ worker: false }, async (h) => {
      const env = {
        ...process.env,
        TEMPORAL_ADDRESS: h.address,
        TEMPORAL_NAMESPACE: h.namespace ?? 'default',
      };
      console.log(`\ncli: ${RUNS} runs each, in turns`);
      for (const args of [['--version'], ['agent', 'status', 'no-such-agent'], ['agent', 'list', '--json']]) {
        const runs: Record<'installed' | 'built', { cpu: number; wall: number }[]> = {
          installed: [],
          built: [],
        };
        for (let i = 0; i < RUNS; i++) {
          runs.installed.push(await once(INSTALLED, args, env, probe, out));
          runs.built.push(await once(AS_BUILT, args, env, probe, out));
        }
        const cpu = (k: keyof typeof runs) => median(runs[k].map((r) => r.cpu));
        const wall = (k: keyof typeof runs) => median(runs[k].map((r) => r.wall));
        const ratio = cpu('installed') / cpu('built');
        console.log(
          `orchestra ${args.join(' ')}: installed ${ms(cpu('installed'))} CPU, ${ms(wall('installed'))} wall; ` +
            `as built ${ms(cpu('built'))} CPU, ${ms(wall('built'))} wall`,
        );
        addRow({
          figure: `CLI: \`orchestra ${args.join(' ')}\`, CPU (median of ${RUNS})`,
          baseline: `${ms(cpu('built'))} (main.js as built)`,
          orchestra: `${ms(cpu('installed'))} (bundle + code cache); wall ${ms(wall('installed'))} vs ${ms(wall('built'))}`,
          ratio: times(ratio),
          target: '≤ 0.8x',
          met: ratio <= 0.8,
        });
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
