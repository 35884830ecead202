/**
 * read_file, write_file, edit_file and list_files, confined to the working directory: every
 * file is opened through safe-open.ts, then read and written through its descriptor only.
 */
import type { Dirent } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { readNumberedLines } from './lines';
import { asOutcome } from './outcome';
import { entriesOf, openDirIn, openEntry, openFile, type Dir } from './safe-open';
import { shownPath, ToolError } from './sandbox';

const READ_CAP_CHARS = 100_000;
/** read_file never reads further into a file than this, nor counts lines past its window beyond 8 MB. */
const READ_SCAN_BYTES = 64 * 2 ** 20;
const READ_COUNT_BYTES = 8 * 2 ** 20;
/** edit_file holds the file and its new text in memory. */
const EDIT_MAX_BYTES = 10 * 2 ** 20;
/** The most an edit may make of a file: replace_all multiplies it by new_string's length. */
const EDIT_RESULT_MAX_BYTES = 2 * EDIT_MAX_BYTES;
const LIST_CAP_ENTRIES = 2000;
export const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** Ordinal order, the same on every machine and locale. */
export const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export function readFile({ cwd, args }: ToolInput<'read_file'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel, offset = 1, limit = 2000 } = checkedArgs('read_file', args);
    const { handle, stats } = await openFile(cwd, rel, 'read');
    try {
      const output = await readNumberedLines(handle, stats.size, {
        offset,
        limit,
        maxChars: READ_CAP_CHARS,
        maxScanBytes: READ_SCAN_BYTES,
        maxCountBytes: READ_COUNT_BYTES,
      });
      return { ok: true, output };
    } finally {
      await handle.close();
    }
  });
}

export function writeFile({ cwd, args }: ToolInput<'write_file'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel, content } = checkedArgs('write_file', args);
    const { handle, shown } = await openFile(cwd, rel, 'write');
    try {
      await rewrite(handle, content);
    } finally {
      await handle.close();
    }
    return { ok: true, output: `wrote ${content.length} chars to ${shown}`, artifacts: [shown] };
  });
}

export function editFile({ cwd, args }: ToolInput<'edit_file'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel, old_string, new_string, replace_all = false } = checkedArgs('edit_file', args);
    const { handle, stats, shown } = await openFile(cwd, rel, 'update');
    try {
      if (stats.size > EDIT_MAX_BYTES) {
        throw new ToolError(`${shown} is ${stats.size} bytes; edit_file edits files up to ${EDIT_MAX_BYTES}`);
      }
      const text = await readAll(handle, stats.size);
      const count = occurrences(text, old_string);
      if (count === 0) throw new ToolError(`old_string not found in ${shown}`);
      if (count > 1 && !replace_all) {
        throw new ToolError(
          `old_string occurs ${count} times in ${shown}; add surrounding context to make it unique, or set replace_all`,
        );
      }
      // Sized before it is built: a short old_string and a long new_string multiply the file.
      const size =
        Buffer.byteLength(text) + count * (Buffer.byteLength(new_string) - Buffer.byteLength(old_string));
      if (size > EDIT_RESULT_MAX_BYTES) {
        throw new ToolError(
          `replacing ${count} occurrence(s) would make ${shown} ${size} bytes; edit_file writes files up to ${EDIT_RESULT_MAX_BYTES}`,
        );
      }
      const updated = replace_all
        ? text.replaceAll(old_string, () => new_string)
        : text.replace(old_string, () => new_string);
      await rewrite(handle, updated);
      return { ok: true, output: `replaced ${count} occurrence(s) in ${shown}`, artifacts: [shown] };
    } finally {
      await handle.close();
    }
  });
}

/** How many times `part` occurs in `text`, not overlapping (as split and replace count them). */
function occurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count += 1;
  return count;
}

export function listFiles({ cwd, args }: ToolInput<'list_files'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel = '.', recursive = false } = checkedArgs('list_files', args);
    const entry = await openEntry(cwd, rel);
    if (entry.kind !== 'dir') {
      await entry.file.handle.close();
      throw new ToolError(`${entry.file.shown} is not a directory`);
    }
    const entries: string[] = [];
    let more = false;
    try {
      for await (const { item, shown } of walkTree(entry.dir, recursive)) {
        if (entries.length === LIST_CAP_ENTRIES) {
          more = true;
          break;
        }
        const rel = relativeTo(entry.dir.shown, shown);
        entries.push(item.isDirectory() ? `${rel}/` : item.isSymbolicLink() ? `${rel}@` : rel);
      }
    } finally {
      await entry.dir.handle.close();
    }
    const cut = more ? `\n[more than ${LIST_CAP_ENTRIES} entries; list a subdirectory]` : '';
    return { ok: true, output: (entries.join('\n') || '(empty)') + cut };
  });
}

/**
 * Every entry under `dir` in name order, a directory before its contents, without following
 * links: a subdirectory is opened through its parent's descriptor and held while it is walked.
 * VCS and dependency folders are listed but not entered. The caller opens what it needs
 * (through `dir` of the visit) while the visit is current.
 */
export async function* walkTree(
  dir: Dir,
  recursive: boolean,
): AsyncGenerator<{ dir: Dir; item: Dirent; shown: string }> {
  const items = (await entriesOf(dir)).sort(byName);
  for (const item of items) {
    const shown = shownPath(dir.shown, item.name);
    yield { dir, item, shown };
    if (!recursive || !item.isDirectory() || SKIPPED_DIRS.has(item.name)) continue;
    // Gone, or swapped for a link since it was listed: not walked.
    const child = await openDirIn(dir, item.name).catch(() => undefined);
    if (!child) continue;
    try {
      yield* walkTree(child, recursive);
    } finally {
      await child.handle.close();
    }
  }
}

function relativeTo(base: string, shown: string): string {
  return base === '.' ? shown : shown.slice(base.length + 1);
}

/** The whole file as text; it was checked to be at most `size` bytes a moment ago. */
async function readAll(handle: FileHandle, size: number): Promise<string> {
  const buffer = Buffer.alloc(size + 1);
  let filled = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
    if (filled === buffer.length) throw new ToolError('the file grew while it was read; try again');
  }
  return buffer.subarray(0, filled).toString('utf8');
}

/**
 * Replace the file's content through its descriptor: write from the start, then cut what is
 * left. Not by rename, which would reach the file by name again.
 */
async function rewrite(handle: FileHandle, text: string): Promise<void> {
  const data = Buffer.from(text, 'utf8');
  for (let written = 0; written < data.length;) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, written);
    written += bytesWritten;
  }
  await handle.truncate(data.length);
}
