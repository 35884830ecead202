/** A repository's shared file, its edits by agents, and the user's own state a swarm must leave alone. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gitIn } from './git-repo';
import type { Harness } from './harness';

export const FILE = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', ''].join('\n');

/** A task that edits shared.txt once, `from` to `to`. */
export const editTask = (h: Harness, from: string, to: string) =>
  h.script([
    { toolCalls: [{ name: 'edit_file', input: { path: 'shared.txt', old_string: from, new_string: to } }] },
    { text: `changed ${from}` },
  ]);

/** The user's own state: what the swarm must leave as it was. */
export const userState = (repo: string) => ({
  status: gitIn(repo, 'status', '--porcelain'),
  head: gitIn(repo, 'rev-parse', 'HEAD'),
  branch: gitIn(repo, 'branch', '--show-current'),
  shared: readFileSync(path.join(repo, 'shared.txt'), 'utf8'),
  notes: readFileSync(path.join(repo, 'notes.txt'), 'utf8'),
});
