/**
 * Copy mode's steps (names in src/domain/copies.ts): a copy of cwd per coding member, what it
 * changed, and its changes copied back into cwd unless cwd changed the same files meanwhile.
 * cwd is only written by copyBackMember, and only where it still holds what the member started
 * from; nothing the user changed is ever overwritten.
 *
 * Each step converges when run again after a kill -9: a copy is whole once its record
 * (`<member>.base.json`) is written, last, so a half-made one is made again; a copy-back writes
 * each file by an atomic rename and, run again, finds those already written equal to the
 * member's (skipped) and the rest as they were (written): never twice, never half a file.
 */
import { constants } from 'node:fs';
import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  COPIES_DIR,
  CopyFailure,
  memberBasePath,
  memberCopyInputSchema,
  memberCopyPath,
  swarmCopiesDir,
  swarmCopiesInputSchema,
  type CopyBack,
  type CopyBase,
  type CopyChanges,
  type CopyEntry,
  type MemberCopy,
  type MemberCopyInput,
  type PreparedCopies,
  type SwarmCopiesInput,
} from '../src/domain/copies';
import { copyLimits, entryOf, putEntry, sameEntry, unsafeParent, walkTree } from './copy-tree';
import { parsedInput } from './git-runner';

const parsed = <S extends Parameters<typeof parsedInput>[0]>(schema: S, input: unknown) =>
  parsedInput(schema, input, CopyFailure.badInput);

/** A record written whole or not at all. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

async function readBase(input: MemberCopyInput): Promise<CopyBase & { bytes: number }> {
  const file = memberBasePath(input.cwd, input.swarmId, input.member);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined)
    throw ApplicationFailure.nonRetryable(
      `${input.member} has no copy (${file} is missing)`,
      CopyFailure.notPrepared,
    );
  return JSON.parse(text) as CopyBase & { bytes: number };
}

/** The swarm's copies directory, with cwd measured: refused when it is too big to copy. */
export async function prepareSwarmCopies(input: SwarmCopiesInput): Promise<PreparedCopies> {
  const { cwd, swarmId } = parsed(swarmCopiesInputSchema, input);
  const real = await realpath(cwd).catch(() => undefined);
  if (!real || !(await stat(real)).isDirectory())
    throw ApplicationFailure.nonRetryable(`${cwd} is not a directory`, CopyFailure.failed);
  const walked = await walkTree(real, copyLimits(), real, false);
  await mkdir(swarmCopiesDir(real, swarmId), { recursive: true });
  // Out of `git status` in a repository, as the worktrees are.
  await writeFile(path.join(real, COPIES_DIR, '.gitignore'), '*\n', { flag: 'wx' }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    },
  );
  return { cwd: real, files: walked.entries.size, bytes: walked.bytes };
}

/** A copy of cwd for a member about to start; the one made before when it is whole. */
export async function addMemberCopy(input: MemberCopyInput): Promise<MemberCopy> {
  const { cwd, swarmId, member } = parsed(memberCopyInputSchema, input);
  const copy = memberCopyPath(cwd, swarmId, member);
  const made = await readBase({ cwd, swarmId, member }).catch(() => undefined);
  if (made) return { path: copy, files: Object.keys(made.files).length, bytes: made.bytes };
  await rm(copy, { recursive: true, force: true });
  const limits = copyLimits();
  const walked = await walkTree(cwd, limits, cwd, false);
  await mkdir(copy, { recursive: true });
  for (const [rel, { entry, abs }] of walked.entries) {
    const to = path.join(copy, rel);
    await mkdir(path.dirname(to), { recursive: true });
    if (entry.kind === 'link') await symlink(await readlink(abs), to);
    // A clone where the filesystem can (copy-on-write), a copy elsewhere; the mode goes along.
    else await copyFile(abs, to, constants.COPYFILE_FICLONE);
  }
  // The record hashes the copy itself: exactly what the member starts from.
  const base = await walkTree(copy, limits, copy);
  const files: Record<string, CopyEntry> = {};
  for (const [rel, { entry }] of base.entries) files[rel] = entry;
  const record: CopyBase & { bytes: number } = { version: 1, files, bytes: base.bytes };
  await writeAtomically(memberBasePath(cwd, swarmId, member), JSON.stringify(record));
  return { path: copy, files: base.entries.size, bytes: base.bytes };
}

/** What the member changed in its copy since it was made, file by file. */
async function changesOf(input: MemberCopyInput) {
  const base = await readBase(input);
  const copy = memberCopyPath(input.cwd, input.swarmId, input.member);
  const now = await walkTree(copy, copyLimits(), `the copy of ${input.member}`);
  const paths = new Set([...Object.keys(base.files), ...now.entries.keys()]);
  const changed = [...paths].filter((rel) => !sameEntry(base.files[rel], now.entries.get(rel)?.entry)).sort();
  return { base, copy, now, changed };
}

export async function diffMemberCopy(input: MemberCopyInput): Promise<CopyChanges> {
  const { changed } = await changesOf(parsed(memberCopyInputSchema, input));
  return { changed };
}

/**
 * The member's changes copied into cwd, all or none: a file cwd changed since the copy (to
 * anything but what the member made of it) is a conflict, and then nothing is written.
 */
export async function copyBackMember(input: MemberCopyInput): Promise<CopyBack> {
  const checked = parsed(memberCopyInputSchema, input);
  const { cwd, swarmId } = checked;
  const { base, copy, now, changed } = await changesOf(checked);
  const conflicts: string[] = [];
  const todo: string[] = [];
  for (const rel of changed) {
    const mine = now.entries.get(rel)?.entry;
    const theirs = await entryOf(path.join(cwd, rel), true);
    // A link (or file) in cwd where the path needs a directory: writing there could leave cwd.
    if (await unsafeParent(cwd, rel)) conflicts.push(rel);
    else if (sameEntry(theirs, mine))
      continue; // written by a run cut short, or the same change made in cwd
    else if (sameEntry(theirs, base.files[rel])) todo.push(rel);
    else conflicts.push(rel);
  }
  if (conflicts.length > 0) return { copied: false, conflict: true, files: conflicts };
  const scratch = path.join(swarmCopiesDir(cwd, swarmId), '.tmp');
  for (const rel of todo)
    await putEntry(now.entries.has(rel) ? path.join(copy, rel) : undefined, path.join(cwd, rel), scratch);
  return { copied: true, files: todo, already: todo.length === 0 };
}

/** A member's copy and its record gone (a copy with work not copied back is kept: not called). */
export async function removeMemberCopy(input: MemberCopyInput): Promise<void> {
  const { cwd, swarmId, member } = parsed(memberCopyInputSchema, input);
  await rm(memberCopyPath(cwd, swarmId, member), { recursive: true, force: true });
  await rm(memberBasePath(cwd, swarmId, member), { force: true });
}

/** The swarm's copies directory gone when no kept copy is left in it; `.orchestra-copies` too. */
export async function finishSwarmCopies(input: SwarmCopiesInput): Promise<{ left: number }> {
  const { cwd, swarmId } = parsed(swarmCopiesInputSchema, input);
  const dir = swarmCopiesDir(cwd, swarmId);
  await rm(path.join(dir, '.tmp'), { recursive: true, force: true });
  const left = (await readdir(dir).catch(() => [])).filter((name) => !name.endsWith('.base.json')).length;
  await rmdir(dir).catch(() => undefined);
  const root = path.join(cwd, COPIES_DIR);
  const others = (await readdir(root).catch(() => ['?'])).filter((name) => name !== '.gitignore');
  if (others.length === 0) {
    await rm(path.join(root, '.gitignore'), { force: true });
    await rmdir(root).catch(() => undefined);
  }
  return { left };
}
