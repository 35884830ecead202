/* global process, console */
/**
 * Three projects:
 * - unit: suites that need no server (`npx jest --selectProjects unit` runs in seconds);
 * - integration: against one dev server per run (globalSetup), shared through the environment;
 * - slow: the API fuzz run, the crash, restart and multi-worker suites, the offline demo. CI runs them
 *   (CI=true), and so does `npm run test:slow` (ORCHESTRA_SLOW_TESTS=1); a run without either
 *   leaves them out and says so.
 * `npm test` (ORCHESTRA_TEST_SHARDS=1) runs the unit and integration suites a shard at a time,
 * several suites to a file in one module registry (test/shards/run-shard.ts), unit suites dealt
 * among the integration ones: they fill the time those wait; `npx jest <file>` runs suites one
 * file each.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest reads this file as CommonJS
const { UNIT, SLOW } = require('./test/suites');

const files = (names) => names.map((name) => `<rootDir>/test/${name}.test.ts`);
const sharded = process.env.ORCHESTRA_TEST_SHARDS === '1';
const slowRuns = process.env.CI === 'true' || process.env.ORCHESTRA_SLOW_TESTS === '1';

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // ORCHESTRA_TEST_CPU_REPORT=<file>: each suite's CPU, one JSON line per suite (see Development).
  setupFilesAfterEnv: ['<rootDir>/test/setup/cpu-report.ts'],
};
const server = {
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFilesAfterEnv: [...common.setupFilesAfterEnv, '<rootDir>/test/setup/server-ready.ts'],
};

if (!slowRuns)
  // stderr: `jest --json` prints its report on stdout.
  console.error(
    `Leaving out the slow suites (${SLOW.join(', ')}): \`npm run test:slow\` runs them; CI runs them with the rest.`,
  );

module.exports = {
  testTimeout: 120000,
  // Three files at once on two cores: the suites mostly wait (on timers, the server, worker
  // hand-overs), and a third one fills the idle CPU (on a 2-core machine: ~130% CPU with three,
  // ~90% with two; the run ~40% shorter).
  maxWorkers: 3,
  projects: [
    ...(sharded ? [] : [{ ...common, displayName: 'unit', testMatch: files(UNIT) }]),
    {
      ...common,
      ...server,
      displayName: 'integration',
      ...(sharded
        ? { testMatch: ['<rootDir>/test/shards/*.test.ts'] }
        : {
            testMatch: ['<rootDir>/test/*.test.ts'],
            testPathIgnorePatterns: [...files(UNIT), ...files(SLOW)],
          }),
    },
    ...(slowRuns ? [{ ...common, ...server, displayName: 'slow', testMatch: files(SLOW) }] : []),
  ],
};
