/**
 * Copy mode's steps on real directories: a member's copy of cwd (never `.git` nor the copies),
 * its changes copied back only where cwd still holds what it started from, all or none, a run
 * cut short and run again writing nothing twice, and the bounds. No Temporal server.
 */
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  addMemberCopy,
  copyBackMember,
  diffMemberCopy,
  finishSwarmCopies,
  prepareSwarmCopies,
  removeMemberCopy,
} from '../activities/copies';
import { COPIES_DIR, CopyFailure, memberBasePath } from '../src/domain/copies';
import { gitIn, makeRepo, removeScratchDirs, scratchDir, write } from './helpers/git-repo';

afterAll(removeScratchDirs);

const read = (dir: string, rel: string) => readFileSync(path.join(dir, rel), 'utf8');
const step = (cwd: string, member: string) => ({ cwd, swarmId: 's1', member });

function plainDir(): string {
  const cwd = scratchDir();
  write(cwd, 'a.txt', 'alpha\n');
  write(cwd, 'b.txt', 'beta\n');
  write(cwd, 'src/c.txt', 'gamma\n');
  return cwd;
}

test('a copy holds cwd as it was; its changes go back into cwd, and a re-run writes nothing twice', async () => {
  const cwd = plainDir();
  expect(await prepareSwarmCopies({ cwd, swarmId: 's1' })).toMatchObject({ cwd, files: 3 });
  const copy = await addMemberCopy(step(cwd, 's1.1'));
  expect(copy).toMatchObject({ path: path.join(cwd, COPIES_DIR, 's1', 's1.1'), files: 3 });
  // Made again (a kill after it was whole): the same copy, the member's work in it untouched.
  write(copy.path, 'a.txt', 'ALPHA\n');
  expect(await addMemberCopy(step(cwd, 's1.1'))).toEqual(copy);
  expect(read(copy.path, 'a.txt')).toBe('ALPHA\n');
  write(copy.path, 'src/new.txt', 'new\n');
  await import('node:fs/promises').then((fs) => fs.rm(path.join(copy.path, 'b.txt')));
  expect(await diffMemberCopy(step(cwd, 's1.1'))).toEqual({ changed: ['a.txt', 'b.txt', 'src/new.txt'] });

  // A run cut short after one file: the re-run writes the rest, never the first again.
  write(cwd, 'a.txt', 'ALPHA\n');
  const back = await copyBackMember(step(cwd, 's1.1'));
  expect(back).toEqual({ copied: true, files: ['b.txt', 'src/new.txt'], already: false });
  expect([read(cwd, 'a.txt'), existsSync(path.join(cwd, 'b.txt')), read(cwd, 'src/new.txt')]).toEqual([
    'ALPHA\n',
    false,
    'new\n',
  ]);
  expect(await copyBackMember(step(cwd, 's1.1'))).toEqual({ copied: true, files: [], already: true });

  await removeMemberCopy(step(cwd, 's1.1'));
  await finishSwarmCopies({ cwd, swarmId: 's1' });
  expect(readdirSync(cwd).sort()).toEqual(['a.txt', 'src']);
});

test("a file cwd changed meanwhile is a conflict: nothing of the member's is written, its copy stays", async () => {
  const cwd = plainDir();
  await prepareSwarmCopies({ cwd, swarmId: 's1' });
  const copy = await addMemberCopy(step(cwd, 's1.1'));
  write(copy.path, 'a.txt', 'member\n');
  write(copy.path, 'b.txt', 'member too\n');
  write(cwd, 'b.txt', 'the user\n');
  expect(await copyBackMember(step(cwd, 's1.1'))).toEqual({
    copied: false,
    conflict: true,
    files: ['b.txt'],
  });
  expect([read(cwd, 'a.txt'), read(cwd, 'b.txt')]).toEqual(['alpha\n', 'the user\n']);
  expect(read(copy.path, 'b.txt')).toBe('member too\n');
  // Not a way out of cwd: a link where the member's file needs a directory is a conflict too.
  const other = scratchDir();
  const linked = await addMemberCopy(step(cwd, 's1.2'));
  write(linked.path, 'out/escape.txt', 'x\n');
  symlinkSync(other, path.join(cwd, 'out'));
  expect(await copyBackMember(step(cwd, 's1.2'))).toMatchObject({ copied: false, files: ['out/escape.txt'] });
  expect(readdirSync(other)).toEqual([]);
});

test('in a git repository the copy leaves out .git, and the copies stay out of git status', async () => {
  const repo = makeRepo({ 'a.txt': 'alpha\n' });
  write(repo, 'untracked.txt', 'mine\n');
  await prepareSwarmCopies({ cwd: repo, swarmId: 's1' });
  const copy = await addMemberCopy(step(repo, 's1.1'));
  expect(readdirSync(copy.path).sort()).toEqual(['a.txt', 'untracked.txt']);
  expect(gitIn(repo, 'status', '--porcelain')).toBe('?? untracked.txt\n');
  expect(
    Object.keys(JSON.parse(read(repo, path.relative(repo, memberBasePath(repo, 's1', 's1.1')))).files),
  ).toEqual(['a.txt', 'untracked.txt']);
});

test('a directory past the bounds is refused with the figures and the way out', async () => {
  const cwd = plainDir();
  for (let i = 0; i < 5; i++) writeFileSync(path.join(cwd, `f${i}.txt`), `${i}`);
  process.env.ORCHESTRA_COPY_MAX_FILES = '4';
  try {
    const err = await prepareSwarmCopies({ cwd, swarmId: 's1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: CopyFailure.tooBig, nonRetryable: true });
    expect((err as Error).message).toMatch(/more than 4 files: too big to copy .*isolation "none"/);
    expect(existsSync(path.join(cwd, COPIES_DIR))).toBe(false);
  } finally {
    delete process.env.ORCHESTRA_COPY_MAX_FILES;
  }
});
