/**
 * `npm test` runs the suites a shard at a time: each file of test/shards/ requires its share of
 * the suites, each inside a describe block of its own name, so their hooks (a suite's harness)
 * stay its own while the modules they load (the SDK, its protobuf tables, zod, the worker) are
 * loaded once per shard instead of once per suite: jest starts every test file in a fresh
 * module registry, which cost about 2.8 CPU-s a suite, and every worker start adds two workflow
 * threads that load the SDK and compile the bundles again. Unit suites are dealt among the
 * others: they fill the time an integration suite waits, where shards of their own ran last, on
 * a machine half idle. `npx jest test/<name>.test.ts` still runs one suite alone, as its own file.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { reportCpu } from '../helpers/cpu-report';
import { DEFAULT_WEIGHT, WEIGHTS } from './weights';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- shared with jest.config.js (CommonJS)
const { SLOW } = require('../suites') as { SLOW: string[] };

/**
 * How many shard files there are: test/shards/shard-<n>.test.ts, n from 1; one for each of jest's
 * three workers, so each loads the suites' modules and starts the shared worker once (six, two a
 * worker, cost about 15 CPU-s more a run, and the weights balance three lanes as well).
 */
export const SHARDS = 3;

const TEST_DIR = path.resolve(__dirname, '..');
const SUFFIX = '.test.ts';

/** The suites the shards run, by name: every test/<name>.test.ts but the slow ones. */
export function shardedSuites(): string[] {
  return readdirSync(TEST_DIR)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .filter((name) => !SLOW.includes(name));
}

/** The suites dealt into the shards, heaviest first to the lightest shard: the same deal in every file. */
export function shards(): string[][] {
  const weight = (name: string) => WEIGHTS[name] ?? DEFAULT_WEIGHT;
  const shards = Array.from({ length: SHARDS }, () => ({ weight: 0, suites: [] as string[] }));
  const heaviestFirst = shardedSuites().sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  for (const name of heaviestFirst) {
    const lightest = shards.reduce((a, b) => (b.weight < a.weight ? b : a));
    lightest.suites.push(name);
    lightest.weight += weight(name);
  }
  return shards.map((shard) => shard.suites.sort());
}

/** Declare shard `index` (from 1): its suites, one describe block each. */
export function runShard(index: number): void {
  // Suites that take the harness as it comes share the shard's (one worker start). Required
  // here: the architecture suite reads the deal without loading the harness.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../helpers/shared-harness') as typeof import('../helpers/shared-harness')).shareHarnesses();
  for (const name of shards()[index - 1] ?? []) {
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
