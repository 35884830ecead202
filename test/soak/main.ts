/**
 * `npm run soak`: issue 11's proof. Orchestra under load and trouble, against the real dev
 * server (each scenario on a fresh one, loopback only), real workers and the scripted model;
 * at the end, one table of every figure. A scenario that breaks says why, and the run exits 1.
 *
 *   load        100 agents on worker processes, one killed with SIGKILL mid-run
 *   restart     the dev server stopped for 10 s mid-run and started on the same database
 *   control     pause, resume and cancel round trips on running agents
 *   signals     bad signals from the `temporal` CLI: the agents record them and carry on
 *   attacks     issue 11's attack cases, each held or broken
 *   memory      one worker's RSS idle, at its peak under 200 agents, and a minute after they finish
 *
 * SOAK_QUICK=1 runs small sizes and short outages (about a minute); SOAK_ONLY=load,... picks scenarios.
 */
import { existsSync } from 'node:fs';
import { attacks } from './attacks';
import { badSignals } from './bad-signals';
import { controlLatency } from './control';
import { loadWithKill } from './load';
import { memoryAfterBurst } from './memory';
import { addRow, broken, machine, quick, table } from './report';
import { serverRestart } from './restart';
import { WORKER_ENTRY } from './worker-process';

const SCENARIOS = {
  load: loadWithKill,
  restart: serverRestart,
  control: controlLatency,
  signals: badSignals,
  attacks,
  memory: memoryAfterBurst,
} as const;
type Scenario = keyof typeof SCENARIOS;

function chosen(): Scenario[] {
  const all = Object.keys(SCENARIOS) as Scenario[];
  const raw = process.env.SOAK_ONLY?.trim();
  if (!raw) return all;
  const asked = raw.split(',').map((s) => s.trim());
  const unknown = asked.filter((s) => !all.includes(s as Scenario));
  if (unknown.length)
    throw new Error(`SOAK_ONLY: unknown ${unknown.join(', ')}; the scenarios are ${all.join(', ')}`);
  return asked as Scenario[];
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run \`npm run build\` first`);
  const scenarios = chosen();
  console.log(`machine: ${machine()}`);
  console.log(`scenarios: ${scenarios.join(', ')}; ${quick ? 'quick (SOAK_QUICK: small sizes)' : 'full'}`);
  for (const name of scenarios) {
    const t = performance.now();
    console.log(`\n${name}`);
    try {
      await SCENARIOS[name]();
    } catch (err) {
      console.error(`the ${name} scenario failed:`, err);
      addRow(
        name,
        '(the scenario)',
        `failed: ${((err as Error).message ?? String(err)).split('\n')[0].slice(0, 160)}`,
        'broken',
      );
    }
    console.log(`(${name}: ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  console.log(`\n## Orchestra soak${quick ? ' (quick)' : ''}\n`);
  console.log(`Machine: ${machine()}. Total ${((performance.now() - started) / 1000).toFixed(0)} s.\n`);
  console.log(table());
  if (broken()) process.exitCode = 1;
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  // The SDK's native runtime and the clients' retry timers would hold the process open.
  .finally(() => setTimeout(() => process.exit(), 1000).unref());
