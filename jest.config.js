/* global process, console */
/**
 * Three projects:
 * - unit: suites that need no server (`npx jest --selectProjects unit` runs in seconds);
 * - integration: against one dev server per run (globalSetup), shared through the environment;
 * - slow: the API fuzz run, the crash, restart and multi-worker suites, the offline demo. CI runs them
 *   (CI=true), and so does `npm run test:slow` (ORCHESTRA_SLOW_TESTS=1); a run without either
 *   leaves them out and says so.
 */
const UNIT = [
  'domain',
  'governance-domain',
  'speed-domain',
  'graph-domain',
  'worktrees',
  'kubernetes',
  'api-closed-views',
  'api-errors',
  'abortable-calls',
  'tools',
  'architecture',
  'cli-format',
  'logging',
  'dashboard-3d',
  'model-limiter',
  'fleet-rate',
  'result-cache',
  'result-cache-domain',
  'collapse-domain',
  'git-resolve',
  'copies',
];
// multi-worker kills a worker process too; its start alone takes a minute on a loaded machine.
const SLOW = ['api-fuzz', 'crash', 'merge-crash', 'restart', 'multi-worker', 'demo'];

const files = (names) => names.map((name) => `<rootDir>/test/${name}.test.ts`);
const slowRuns = process.env.CI === 'true' || process.env.ORCHESTRA_SLOW_TESTS === '1';

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
};
const server = {
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
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
    { ...common, displayName: 'unit', testMatch: files(UNIT) },
    {
      ...common,
      ...server,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/*.test.ts'],
      testPathIgnorePatterns: [...files(UNIT), ...files(SLOW)],
    },
    ...(slowRuns ? [{ ...common, ...server, displayName: 'slow', testMatch: files(SLOW) }] : []),
  ],
};
