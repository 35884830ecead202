/**
 * kill -9 mid-merge: the worker, and the git it runs, die while a swarm member's merge into the
 * swarm's branch holds the integration worktree's index lock; a new worker takes the merge over,
 * and it lands exactly once, with no lock or half-merge left and the user's branch and
 * uncommitted files untouched. The merge is made slow by a merge driver of the repository's own
 * (git runs it for a file both sides changed), which hangs on its first run only.
 */
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitForSwarm } from '../src/temporal/swarms';
import { gitIn, makeRepo, removeScratchDirs, scratchDir, userState, write } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';
import { startWorkerProcess } from './helpers/worker-process';

// Its workers are killed: a namespace of its own, so that they hold no other suite's store.
const h = useHarness({ worker: false, ownNamespace: true });
afterAll(removeScratchDirs);

const FILE = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', ''].join('\n');

/** Every `*.lock` file and every MERGE_HEAD under the repository's git directory. */
function leftovers(gitDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (e.name.endsWith('.lock') || e.name === 'MERGE_HEAD') found.push(path.relative(gitDir, file));
    }
  };
  walk(gitDir);
  return found;
}

test('kill -9 of the worker mid-merge: a new worker lands the merge exactly once, no lock left, the user untouched', async () => {
  const repo = makeRepo({ 'shared.txt': FILE });
  // A driver for shared.txt that hangs on its first run (until killed), then merges as git would.
  const marks = scratchDir();
  const driver = path.join(marks, 'slow-merge.sh');
  write(
    marks,
    'slow-merge.sh',
    `#!/bin/sh\necho run >> ${marks}/runs\nif [ ! -e ${marks}/started ]; then : > ${marks}/started; sleep 600; fi\nexec git merge-file -q "$2" "$1" "$3"\n`,
  );
  chmodSync(driver, 0o755);
  gitIn(repo, 'config', 'merge.slow.driver', `${driver} %O %A %B`);
  write(repo, '.git/info/attributes', 'shared.txt merge=slow\n');
  // The user's own uncommitted change and untracked file.
  write(repo, 'shared.txt', FILE.replace('four', 'four (mine)'));
  write(repo, 'notes.txt', 'my notes\n');
  const before = userState(repo);

  const edit = (from: string, to: string) =>
    h.script([
      { toolCalls: [{ name: 'edit_file', input: { path: 'shared.txt', old_string: from, new_string: to } }] },
      { text: `changed ${from}` },
    ]);
  const first = startWorkerProcess(h, {}, { group: true });
  const id = await h.swarm(
    {
      strategy: 'parallel',
      task: 'edit the shared file',
      merge: 'all',
      agents: [
        { name: 'top', task: edit('one', 'ONE') },
        { name: 'bottom', task: edit('seven', 'SEVEN') },
      ],
    },
    { cwd: repo },
  );
  // top's merge is a fast-forward; bottom's merges shared.txt, and the driver hangs in it.
  await until(
    async () => existsSync(path.join(marks, 'started')),
    (started) => started,
    'the second merge never reached the merge driver',
    90_000,
  );
  const gitDir = path.join(repo, '.git');
  expect(leftovers(gitDir)).toContainEqual(expect.stringMatching(/^worktrees\/[^/]+\/index\.lock$/));
  first.kill9();
  const killedAt = Date.now();
  const second = startWorkerProcess(h);
  try {
    const out = await waitForSwarm(h.client, id);
    console.log(`kill -9 mid-merge → swarm done: ${((Date.now() - killedAt) / 1000).toFixed(1)}s`);
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => `${a.name} ${a.landed}`)).toEqual(['top merged', 'bottom merged']);
    expect(out.worktrees!.kept).toEqual([]);
    // The merge ran twice: cut off on the first worker, done again on the second.
    expect(readFileSync(path.join(marks, 'runs'), 'utf8')).toBe('run\nrun\n');
    // Both edits, once: one merge commit, each member's commit once.
    const branch = `orchestra/${id}`;
    expect(gitIn(repo, 'show', `${branch}:shared.txt`)).toBe(
      FILE.replace('one', 'ONE').replace('seven', 'SEVEN'),
    );
    expect(gitIn(repo, 'rev-list', '--merges', '--count', branch).trim()).toBe('1');
    const subjects = gitIn(repo, 'log', '--format=%s', branch).trim().split('\n');
    expect(subjects.filter((s) => s.startsWith('top (')).length).toBe(1);
    expect(subjects.filter((s) => s.startsWith('bottom (')).length).toBe(1);
    // Nothing half-done left: no lock, no merge in progress, no worktree.
    expect(leftovers(gitDir)).toEqual([]);
    expect(gitIn(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(userState(repo)).toEqual(before);
  } finally {
    await second.stop();
  }
}, 300_000);
