/**
 * The long-running commands, which run main.js as tsc built it, never the bundle (orchestra.ts),
 * and what only they import, which the bundle leaves out (scripts/build-cli.mjs reads this file
 * as built). One list for both, so a new command cannot be routed one way and bundled the other.
 */
export const LONG_RUNNING_COMMANDS = ['server', 'worker', 'model-server', 'codec-server', 'demo', 'api'];

/** Modules (from dist/, without .js) that only those commands import. */
export const LONG_RUNNING_IMPORTS = [
  'workers/main',
  'src/api/server',
  'src/logging',
  'src/temporal/dev-server',
  'src/llm/script',
  'src/llm/scripted-server',
  'src/api/tokens',
  'src/codec/server',
  'src/cli/demo/demo',
];
