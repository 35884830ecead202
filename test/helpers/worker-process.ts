/** A worker in a process of its own, so a test can kill -9 it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Harness } from './harness';

const ENTRY = path.resolve(__dirname, '../../dist/workers/main.js');

export interface WorkerProcess {
  child: ChildProcess;
  kill9(): void;
  stop(): Promise<void>;
}

export function startWorkerProcess(h: Harness, env: Record<string, string> = {}): WorkerProcess {
  if (!existsSync(ENTRY))
    throw new Error(`${ENTRY} is missing: run \`npm run build\` (npm test does it first)`);
  const child = spawn(process.execPath, [ENTRY], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.address,
      ORCHESTRA_TASK_QUEUE: h.taskQueue,
      ANTHROPIC_BASE_URL: h.model.url,
      ANTHROPIC_API_KEY: 'test-key',
      ORCHESTRA_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    kill9: () => child.kill('SIGKILL'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
