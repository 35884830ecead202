/**
 * Schemathesis (PyPI), installed on first use into the project cache from the pinned
 * test/fuzz/requirements.txt, in a virtualenv of its own.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/config';

const run = promisify(execFile);
const REQUIREMENTS = path.join(PROJECT_ROOT, 'test/fuzz/requirements.txt');

export async function schemathesis(): Promise<string> {
  const pins = await readFile(REQUIREMENTS, 'utf8');
  const version = createHash('sha256').update(pins).digest('hex').slice(0, 12);
  const target = path.join(PROJECT_ROOT, '.orchestra/cache/schemathesis', version);
  const st = path.join(target, 'bin/st');
  // A venv's scripts name its own path, so it is built in place; the marker says it is whole.
  const done = path.join(target, '.installed');
  if (existsSync(done)) return st;
  await rm(target, { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
  await run('python3', ['-m', 'venv', target]);
  await run(
    path.join(target, 'bin/pip'),
    ['install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', REQUIREMENTS],
    { timeout: 10 * 60_000 },
  );
  await writeFile(done, pins);
  return st;
}
