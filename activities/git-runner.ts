/**
 * git as Orchestra runs it (activities/worktrees.ts): no user config, hook or environment
 * variable that could make a step fail, prompt, or reach another repository; heartbeats while
 * it runs; its failures sorted into what Temporal should retry. Also the repository a
 * directory is in, and its refs read and made once.
 */
import { realpath, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ORCHESTRA_COMMITTER, WorktreeFailure } from '../src/domain/worktrees';
import { describeIssue } from '../src/domain/zod-error';
import { execCollect } from './exec-helper';

/** For every call: nothing in the user's setup may make a step fail, prompt, or differ on a re-run. */
const GIT_CONFIG = [
  `user.name=${ORCHESTRA_COMMITTER.name}`,
  `user.email=${ORCHESTRA_COMMITTER.email}`,
  // The user's hooks are for the user's commits: one that fails, edits or hangs would break
  // re-runs. They run when the user merges the swarm's branch into theirs.
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'commit.gpgSign=false',
  // No recorded resolution replayed into a merge, none recorded in the user's repository.
  'rerere.enabled=false',
  // Submodules are not looked into: a status there runs git in a repository the agent made.
  'diff.ignoreSubmodules=all',
  // No background gc holding the repository's locks after our commits.
  'gc.auto=0',
  'maintenance.auto=false',
].flatMap((setting) => ['-c', setting]);

/** Variables that would point git at another repository than the one named. */
const LOCATING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repository: commands that touch no work tree run against its git dir alone. */
export interface Repo {
  commonDir: string;
}
/** A worktree, with the admin dir git keeps for it in the repository. */
export interface Tree {
  path: string;
  gitDir: string;
}

/** git in `cwd`: its exit code (-1: it did not start), never a throw. Heartbeats in an activity. */
export function git(cwd: string, args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
  // No status call rewrites an index to refresh it: the user's is only ever read.
  env.GIT_OPTIONAL_LOCKS = '0';
  for (const key of LOCATING) delete env[key];
  const stop = heartbeats();
  const once = () =>
    execCollect('git', [...GIT_CONFIG, ...args], { cwd, env, maxBuffer: 64 * 2 ** 20 }).then(
      ({ code, stdout, stderr, error }) => ({
        code,
        stdout,
        stderr: code === -1 ? `${stderr}${error ?? ''}` : stderr,
      }),
    );
  return rerunPastPeers(once).finally(stop);
}

/**
 * A git that looks at every worktree of the repository (worktree add, list and remove, branch
 * -D) reads each one's `commondir`, and dies on the one a `git worktree add` beside it is making
 * (git creates that file empty, then writes it: "failed to read .../commondir: Success") or a
 * `worktree remove` is deleting. Two members' worktrees are added at once, so a swarm meets it
 * on a loaded machine. That look comes before any write, so the command is run again after a
 * moment; one still unreadable after ~1.5 s (a registration a killed git left half-made) fails
 * the step with git's message.
 */
const PEER_BEING_MADE = /failed to read .*\/worktrees\/[^/\n]+\/commondir/;
const RERUN_AFTER_MS = [25, 50, 100, 200, 400, 800];

async function rerunPastPeers(once: () => Promise<Run>): Promise<Run> {
  for (const ms of RERUN_AFTER_MS) {
    const run = await once();
    if (run.code === 0 || !PEER_BEING_MADE.test(run.stderr)) return run;
    await sleep(ms);
  }
  return once();
}

/** A checkout of a big tree takes a while: the activity says it is alive. Nothing outside one (tests). */
function heartbeats(): () => void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return () => undefined;
  }
  const timer = setInterval(() => ctx.heartbeat(), 5000);
  return () => clearInterval(timer);
}

export const inRepo = (repo: Repo, args: string[]) =>
  git(repo.commonDir, ['--git-dir', repo.commonDir, ...args]);
/**
 * In a worktree, through its admin dir: the `.git` file in the worktree is the agent's to
 * rewrite (to point at the user's repository, or at a repository whose config runs commands),
 * so it is never followed.
 */
export const inTree = (tree: Tree, args: string[]) =>
  git(tree.path, ['--git-dir', tree.gitDir, '--work-tree', tree.path, ...args]);

export async function must(run: Promise<Run>, what: string): Promise<string> {
  const done = await run;
  if (done.code !== 0) throw gitFailure(what, done);
  return done.stdout;
}

export function gitFailure(what: string, run: Run): ApplicationFailure {
  const detail = (run.stderr.trim() || `exit code ${run.code}`).slice(0, 2000);
  if (/\.lock'?: File exists/.test(detail))
    return ApplicationFailure.retryable(`git ${what}: a lock is held (${detail})`, WorktreeFailure.busy);
  if (/already checked out|already used by worktree/.test(detail))
    return ApplicationFailure.nonRetryable(`git ${what}: ${detail}`, WorktreeFailure.branchInUse);
  return ApplicationFailure.nonRetryable(`git ${what} failed: ${detail}`, WorktreeFailure.gitFailed);
}

/** The work tree `dir` is in, and its repository; refused when there is none. */
export async function openRepo(dir: string): Promise<{ root: string; repo: Repo }> {
  const run = await git(dir, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir']);
  if (run.code === -1 && (await stat(dir).catch(() => undefined))?.isDirectory())
    throw ApplicationFailure.nonRetryable(`git did not run: ${run.stderr.trim()}`, WorktreeFailure.gitFailed);
  if (run.code !== 0) {
    const why = run.code === -1 ? 'no such directory' : run.stderr.trim().split('\n')[0];
    throw ApplicationFailure.nonRetryable(
      `${dir} is not inside a git work tree (${why}): worktree isolation needs a git repository; ` +
        'use isolation "copy" to give each agent a copy of the directory, or "none" to work in it',
      WorktreeFailure.notGitRepository,
    );
  }
  const [root, commonDir] = run.stdout.split('\n');
  return { root: await realpath(root), repo: { commonDir: await realpath(commonDir) } };
}

export async function commitOf(repo: Repo, rev: string): Promise<string | undefined> {
  const run = await inRepo(repo, ['rev-parse', '-q', '--verify', '--end-of-options', `${rev}^{commit}`]);
  return run.code === 0 ? run.stdout.trim() : undefined;
}

/** `ref` pointed at `commit` unless it exists: what it points at, either way. */
export async function refOnce(repo: Repo, ref: string, commit: string): Promise<string> {
  const existing = await commitOf(repo, ref);
  if (existing) return existing;
  const run = await inRepo(repo, ['update-ref', ref, commit, '']);
  // Made by another attempt between the look and the write: theirs stands.
  const now = await commitOf(repo, ref);
  if (now) return now;
  throw gitFailure(`update-ref ${ref}`, run);
}

/** An activity's input checked against its schema: a bad one fails at once, with the reason. */
export function parsedInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  type: string = WorktreeFailure.badInput,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw ApplicationFailure.nonRetryable(`bad input: ${describeIssue(result.error)}`, type);
  return result.data;
}
