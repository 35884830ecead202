/** Real git repositories in temporary directories, for the worktree suite. */
import { execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addMemberWorktree, commitMemberWork, mergeMember } from '../../activities/worktrees';

/** git as a user runs it, without touching the index for a status (as the activities do). */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=User', '-c', 'user.email=user@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Whether git exits 0 (for the checks that answer by exit code). */
export function gitOk(cwd: string, ...args: string[]): boolean {
  try {
    gitIn(cwd, ...args);
    return true;
  } catch {
    return false;
  }
}

const made: string[] = [];

/** A fresh directory, resolved; every one goes in `removeScratchDirs`. */
export function scratchDir(): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'orchestra-wt-test-')));
  made.push(dir);
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function write(dir: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

/** A repository on `main` with one commit of `files`. */
export function makeRepo(files: Record<string, string>): string {
  const dir = scratchDir();
  gitIn(dir, 'init', '-q', '-b', 'main');
  for (const [rel, text] of Object.entries(files)) write(dir, rel, text);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/**
 * Everything of the user's that a swarm must leave alone: every file of the work tree, byte
 * for byte, the index file, the branch and HEAD, and what `git status` says.
 */
export function userState(dir: string) {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.name === '.git') continue;
      if (entry.isDirectory()) walk(child);
      else files[child] = readFileSync(path.join(dir, child)).toString('base64');
    }
  };
  walk('.');
  return {
    files,
    index: readFileSync(path.join(dir, '.git/index')).toString('base64'),
    head: gitIn(dir, 'symbolic-ref', 'HEAD').trim(),
    main: gitIn(dir, 'rev-parse', 'refs/heads/main').trim(),
    status: gitIn(dir, 'status', '--porcelain', '--untracked-files=all'),
  };
}

/** A member's whole life: its worktree, a file of its own, its commit, its merge. */
export async function memberLifecycle(input: { repoRoot: string; swarmId: string; member: string }) {
  const wt = await addMemberWorktree(input);
  write(wt.path, `${input.member}.txt`, `${input.member}\n`);
  await commitMemberWork({ path: wt.path, message: `${input.member}'s work` });
  return mergeMember({ repoRoot: input.repoRoot, swarmId: input.swarmId, branch: wt.branch });
}

/** Runs this file's TypeScript in a plain node, as a worker would, through swc. */
const CHILD = `
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
require.extensions['.ts'] = (m, filename) => {
  const options = { filename, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } };
  m._compile(transformSync(fs.readFileSync(filename, 'utf8'), options).code, filename);
};
const { memberLifecycle } = require(process.argv[1]);
process.stdout.write('ready\\n');
memberLifecycle(JSON.parse(process.argv[2])).then(() => process.stdout.write('done\\n'));
`;

/**
 * memberLifecycle in a process of its own, killed with everything it started (git included)
 * `killAfterMs` after it is ready; or run to its end when that is undefined. How long it ran.
 */
export async function lifecycleKilled(
  input: { repoRoot: string; swarmId: string; member: string },
  killAfterMs?: number,
): Promise<{ ms: number; finished: boolean }> {
  const child = spawn(process.execPath, ['-e', CHILD, __filename, JSON.stringify(input)], {
    cwd: path.resolve(__dirname, '../..'),
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (!started && out.includes('ready')) {
      started = Date.now();
      if (killAfterMs !== undefined) timer = setTimeout(kill, killAfterMs);
    }
  });
  await exited;
  clearTimeout(timer);
  return { ms: Date.now() - started, finished: out.includes('done') };
}
