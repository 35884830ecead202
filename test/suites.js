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
// multi-worker kills a worker process too; its start alone takes a minute on a loaded machine.
const SLOW = ['api-fuzz', 'crash', 'merge-crash', 'restart', 'multi-worker', 'demo'];

module.exports = { UNIT, SLOW };
