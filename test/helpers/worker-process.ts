/** A worker in a process of its own, so a test (or the soak) can kill -9 it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Harness } from './harness';

/** The built worker, seen from test/helpers (jest runs the sources) or from dist/test/helpers (the soak). */
export const WORKER_ENTRY = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../workers/main.js' : '../../dist/workers/main.js',
);

export interface WorkerProcess {
  child: ChildProcess;
  kill9(): void;
  stop(): Promise<void>;
}

/**
 * `group`: the worker leads a process group of its own, and kill9 kills the whole group (the git
 * it runs included), as a machine that dies would; else only the worker's own process dies.
 */
export function startWorkerProcess(
  h: Harness,
  env: Record<string, string> = {},
  options: { group?: boolean } = {},
): WorkerProcess {
  if (!existsSync(WORKER_ENTRY))
    throw new Error(`${WORKER_ENTRY} is missing: run \`npm run build\` (npm test does it first)`);
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.address,
      TEMPORAL_NAMESPACE: h.namespace,
      ORCHESTRA_TASK_QUEUE: h.taskQueue,
      ANTHROPIC_BASE_URL: h.model.url,
      ANTHROPIC_API_KEY: 'test-key',
      ORCHESTRA_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: options.group === true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    kill9: () => (options.group ? process.kill(-child.pid!, 'SIGKILL') : child.kill('SIGKILL')),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
