/**
 * The swarm's worktree shared with an agent (a supervisor) while members merge into it: what the
 * agent writes there, before a merge or while one runs, is never reset, cleaned or overwritten.
 * Real git, no Temporal server; a `git` on PATH in front of the real one lets the agent write
 * at the moment a merge starts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  addMemberWorktree,
  commitMemberWork,
  commitSwarmWork,
  mergeMember,
  prepareSwarmRepo,
} from '../activities/worktrees';
import { gitIn, gitOk, makeRepo, removeScratchDirs, scratchDir, write } from './helpers/git-repo';

const HOOK_VAR = 'ORCHESTRA_TEST_GIT_HOOK';
const saved = { path: process.env.PATH, hook: process.env[HOOK_VAR] };
let hook: string;

beforeAll(() => {
  const bin = scratchDir();
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  // The hook runs once, as the first step of a merge (git's own, or one made off the tree) starts.
  writeFileSync(
    path.join(bin, 'git'),
    `#!/bin/sh\nfor a in "$@"; do case "$a" in merge|merge-tree|read-tree)\n` +
      `  if [ -f "$${HOOK_VAR}" ]; then mv "$${HOOK_VAR}" "$${HOOK_VAR}.run"; sh "$${HOOK_VAR}.run"; fi; break;;\n` +
      `esac; done\nexec ${realGit} "$@"\n`,
  );
  chmodSync(path.join(bin, 'git'), 0o755);
  hook = path.join(bin, 'hook.sh');
  process.env.PATH = `${bin}:${saved.path}`;
  process.env[HOOK_VAR] = hook;
});

afterAll(() => {
  process.env.PATH = saved.path;
  if (saved.hook === undefined) delete process.env[HOOK_VAR];
  else process.env[HOOK_VAR] = saved.hook;
  removeScratchDirs();
});

/** The agent in the shared tree writes `files` as the next merge starts. */
function writesDuringMerge(dir: string, files: Record<string, string>) {
  const lines = Object.entries(files).map(
    ([rel, text]) => `printf '%s' '${text}' > '${path.join(dir, rel)}'`,
  );
  writeFileSync(hook, `${lines.join('\n')}\n`);
}

async function sharedSwarm() {
  const repoRoot = makeRepo({
    'shared.txt': 'one\ntwo\nthree\n',
    'notes.txt': 'one\ntwo\nthree\nfour\nfive\n',
  });
  const swarm = await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's1' });
  const member = async (name: string, files: Record<string, string>) => {
    const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member: name });
    for (const [rel, text] of Object.entries(files)) write(wt.path, rel, text);
    await commitMemberWork({ path: wt.path, message: `${name}'s work` });
    return wt.branch;
  };
  const merge = (branch: string) =>
    mergeMember({ repoRoot, swarmId: 's1', branch, commitFirst: "the supervisor's own changes" });
  const shared = swarm.integrationPath;
  const read = (rel: string) => readFileSync(path.join(shared, rel), 'utf8');
  return { repoRoot, shared, member, merge, read };
}

const showAt = (repoRoot: string, file: string) => gitIn(repoRoot, 'show', `orchestra/s1:${file}`);

test("the supervisor's edits made as a merge starts, to a file the merge changes too, are committed and merged, not wiped", async () => {
  const { repoRoot, shared, member, merge, read } = await sharedSwarm();
  const alice = await member('alice', { 'notes.txt': 'one\nTWO by alice\nthree\nfour\nfive\n' });
  write(shared, 'interface.ts', 'export interface X {}\n');
  writesDuringMerge(shared, {
    'notes.txt': 'one\ntwo\nthree\nFOUR by the supervisor\nfive\n',
    'late.txt': 'late\n',
  });
  const merged = await merge(alice);
  expect(merged).toMatchObject({ merged: true, already: false, fastForward: false });
  expect(existsSync(`${hook}.run`)).toBe(true);
  for (const at of [(f: string) => showAt(repoRoot, f), read]) {
    expect(at('notes.txt')).toBe('one\nTWO by alice\nthree\nFOUR by the supervisor\nfive\n');
    expect(at('late.txt')).toBe('late\n');
    expect(at('interface.ts')).toBe('export interface X {}\n');
  }
  expect(gitIn(shared, 'status', '--porcelain')).toBe('');
  // Run again (a retried activity): nothing more to do.
  expect(await merge(alice)).toMatchObject({ merged: true, already: true, head: merged.head });
});

test('a conflict leaves the shared tree as it was: no markers, nothing the supervisor wrote meanwhile removed', async () => {
  const { repoRoot, shared, member, merge, read } = await sharedSwarm();
  const alice = await member('alice', { 'shared.txt': 'one\nTWO by alice\nthree\n' });
  const bob = await member('bob', { 'shared.txt': 'one\nTWO by bob\nthree\n' });
  await merge(alice);
  writesDuringMerge(shared, { 'late.txt': 'late\n' });
  const conflict = await merge(bob);
  expect(conflict).toMatchObject({ merged: false, conflict: true, files: ['shared.txt'] });
  expect(read('late.txt')).toBe('late\n');
  expect(read('shared.txt')).toBe('one\nTWO by alice\nthree\n');
  expect(gitOk(shared, 'rev-parse', '-q', '--verify', 'MERGE_HEAD')).toBe(false);
  expect(gitIn(shared, 'status', '--porcelain')).toBe('?? late.txt\n');
  // The supervisor's own merge with conflicts is its to settle: committed as it is, nor undone.
  expect(gitOk(shared, 'merge', '--no-edit', bob)).toBe(false);
  const commit = commitSwarmWork({ repoRoot, swarmId: 's1', message: 'its own changes' });
  await expect(commit).rejects.toThrow(/in the middle of a merge with conflicts in shared\.txt/);
  expect(read('shared.txt')).toMatch(/<<<<<<< /);
  expect(read('late.txt')).toBe('late\n');
  expect(showAt(repoRoot, 'shared.txt')).toBe('one\nTWO by alice\nthree\n');
});
