/**
 * `npm test` runs the suites a shard at a time: each file of test/shards/ requires its share of
 * the suites, each inside a describe block of its own name, so their hooks (a suite's harness)
 * stay its own while the modules they load (the SDK, its protobuf tables, zod, the worker) are
 * loaded once per shard instead of once per suite: jest starts every test file in a fresh
 * module registry, which cost about 2.8 CPU-s a suite. `npx jest test/<name>.test.ts` still
 * runs one suite alone, as its own file.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { reportCpu } from '../helpers/cpu-report';
import { DEFAULT_WEIGHT, WEIGHTS } from './weights';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- shared with jest.config.js (CommonJS)
const { UNIT, SLOW } = require('../suites') as { UNIT: string[]; SLOW: string[] };

/** How many shard files each project has: test/shards/<project>-<n>.test.ts, n from 1. */
export const SHARDS = { unit: 2, integration: 12 } as const;
export type ShardedProject = keyof typeof SHARDS;

const TEST_DIR = path.resolve(__dirname, '..');
const SUFFIX = '.test.ts';

/** The project's suites, by name: every test/<name>.test.ts not listed elsewhere is integration. */
export function suitesOf(project: ShardedProject): string[] {
  const names = readdirSync(TEST_DIR)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length));
  return project === 'unit'
    ? names.filter((name) => UNIT.includes(name))
    : names.filter((name) => !UNIT.includes(name) && !SLOW.includes(name));
}

/** The project's suites dealt into its shards, heaviest first to the lightest shard: the same deal in every file. */
export function shardsOf(project: ShardedProject): string[][] {
  const weight = (name: string) => WEIGHTS[name] ?? DEFAULT_WEIGHT;
  const shards = Array.from({ length: SHARDS[project] }, () => ({ weight: 0, suites: [] as string[] }));
  const heaviestFirst = suitesOf(project).sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  for (const name of heaviestFirst) {
    const lightest = shards.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.suites.push(name);
    lightest.weight += weight(name);
  }
  return shards.map((shard) => shard.suites.sort());
}

/** Declare shard `index` (from 1) of `project`: its suites, one describe block each. */
export function runShard(project: ShardedProject, index: number): void {
  // Integration suites that take the harness as it comes share the shard's (one worker start).
  if (project === 'integration')
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- unit shards never load the harness
    (require('../helpers/shared-harness') as typeof import('../helpers/shared-harness')).shareHarnesses();
  for (const name of shardsOf(project)[index - 1] ?? []) {
    describe(name, () => {
      // jest gave each file its own process.env; the suites of a shard share one, so each gets
      // it back as it found it, whatever it set or deleted.
      let env: NodeJS.ProcessEnv = {};
      beforeAll(() => {
        env = { ...process.env };
      });
      reportCpu(name, () => load(name));
      afterAll(() => restoreEnv(env));
    });
  }
}

/** A suite's tests register as it loads; one that cannot load fails alone, its shard goes on. */
function load(name: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside its describe block
    require(path.join(TEST_DIR, `${name}${SUFFIX}`));
  } catch (err) {
    test('loads', () => {
      throw err;
    });
  }
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
}
