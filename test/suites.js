/**
 * Which project each suite belongs to, by file name (test/<name>.test.ts): jest.config.js
 * and the shards (test/shards/) read the same lists. Every other suite is an integration suite.
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
  'shared-worktree',
  'copies',
  'feed-hub',
  'exec-helper',
  'git-runner',
];
// The slow ones: the fuzz run, the demo, and the suites whose subject is a crash or a restart,
// which wait out what they cause: multi-worker, crash and merge-crash kill -9 workers (the first's
// start alone takes a minute on a loaded machine); restart, approvals-durable (a kill -9 and a
// server restart) and api-outages (Temporal gone and back) restart a dev server.
const SLOW = [
  'api-fuzz',
  'crash',
  'merge-crash',
  'restart',
  'multi-worker',
  'demo',
  'approvals-durable',
  'api-outages',
];

module.exports = { UNIT, SLOW };
