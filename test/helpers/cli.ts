/** Run the built `orchestra` command as a user would: a process, its output, its exit code. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** The command as installed (package.json `bin`): short commands run from the bundle. */
export const CLI = path.resolve(__dirname, '../../dist/src/cli/orchestra.js');
/** The same program as tsc built it, module by module. */
export const CLI_AS_BUILT = path.resolve(__dirname, '../../dist/src/cli/main.js');

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
