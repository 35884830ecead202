/**
 * A Python tool from PyPI, installed on first use into the project cache in a virtualenv of
 * its own, from pinned requirements: the same pins, the same directory, installed once.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/config';

const run = promisify(execFile);

/** The path of `bin/<command>` in the tool's virtualenv, installed from `pins` if it is not yet. */
export async function pythonTool(name: string, pins: string, command: string): Promise<string> {
  const version = createHash('sha256').update(pins).digest('hex').slice(0, 12);
  const target = path.join(PROJECT_ROOT, '.orchestra/cache', name, version);
  const binary = path.join(target, 'bin', command);
  // A venv's scripts name its own path, so it is built in place; the marker says it is whole.
  const done = path.join(target, '.installed');
  if (existsSync(done)) return binary;
  await rm(target, { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
  const requirements = path.join(target, 'requirements.txt');
  try {
    await run('python3', ['-m', 'venv', target]);
    await writeFile(requirements, pins.endsWith('\n') ? pins : `${pins}\n`);
    await run(
      path.join(target, 'bin/pip'),
      ['install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', requirements],
      { timeout: 10 * 60_000 },
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`could not install ${name}: ${stderr || (err as Error).message}`);
  }
  await writeFile(done, pins);
  return binary;
}
