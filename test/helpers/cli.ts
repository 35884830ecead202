/**
 * Run the `orchestra` command: as a user would (a process, its output, its exit code), or, for
 * most of the tests of what commands do, inside the test's own process: the same program over
 * an environment and streams of the test's (src/cli/io.ts). A process start costs about 0.4
 * CPU-s, most of a short command's cost; what only a process shows (the bundle, startup, exit
 * codes and Ctrl-C as a shell sees them) keeps its tests through `runCli`.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { runOrchestra } from '../../src/cli/program';
import type { Harness } from './harness';

/** The command as installed (package.json `bin`): short commands run from the bundle. */
export const CLI = path.resolve(__dirname, '../../dist/src/cli/orchestra.js');
/** The same program as tsc built it, module by module. */
export const CLI_AS_BUILT = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** What points the CLI at a harness: its server and its queue (more settings spread after). */
export const harnessEnv = (h: Pick<Harness, 'address' | 'taskQueue'>): NodeJS.ProcessEnv => ({
  TEMPORAL_ADDRESS: h.address,
  ORCHESTRA_TASK_QUEUE: h.taskQueue,
});

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same run in this process: `env` over this process's, output kept, no terminal. */
export async function runCliHere(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env: { ...process.env, ...env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    onInterrupt: () => () => undefined,
  };
  const code = await runOrchestra(args, io);
  return { code, stdout, stderr };
}
