/** read_file, write_file, edit_file and list_files, confined to the working directory. */
import { mkdir, readFile as fsRead, readdir, stat, writeFile as fsWrite } from 'node:fs/promises';
import * as path from 'node:path';
import { checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { asOutcome, capText } from './outcome';
import { display, resolveInside, ToolError } from './sandbox';

const READ_CAP_CHARS = 100_000;
const LIST_CAP_ENTRIES = 2000;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** Ordinal order, the same on every machine and locale. */
const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export function readFile({ cwd, args }: ToolInput<'read_file'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel, offset = 1, limit = 2000 } = checkedArgs('read_file', args);
    const full = await resolveInside(cwd, rel);
    const lines = (await fsRead(full, 'utf8')).split('\n');
    const shown = lines.slice(offset - 1, offset - 1 + limit);
    const numbered = shown.map((line, i) => `${String(offset + i).padStart(6)}\t${line}`).join('\n');
    const more = offset - 1 + limit < lines.length ? `\n[${lines.length} lines in all]` : '';
    return { ok: true, output: capText(numbered, READ_CAP_CHARS) + more };
  });
}

export function writeFile({ cwd, args }: ToolInput<'write_file'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel, content } = checkedArgs('write_file', args);
    const full = await resolveInside(cwd, rel);
    await mkdir(path.dirname(full), { recursive: true });
    await fsWrite(full, content, 'utf8');
    const shown = display(cwd, full);
    return { ok: true, output: `wrote ${content.length} chars to ${shown}`, artifacts: [shown] };
  });
}

export function editFile({ cwd, args }: ToolInput<'edit_file'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel, old_string, new_string, replace_all = false } = checkedArgs('edit_file', args);
    const full = await resolveInside(cwd, rel);
    const shown = display(cwd, full);
    const text = await fsRead(full, 'utf8');
    const count = text.split(old_string).length - 1;
    if (count === 0) throw new ToolError(`old_string not found in ${shown}`);
    if (count > 1 && !replace_all) {
      throw new ToolError(
        `old_string occurs ${count} times in ${shown}; add surrounding context to make it unique, or set replace_all`,
      );
    }
    const updated = replace_all
      ? text.split(old_string).join(new_string)
      : text.replace(old_string, () => new_string);
    await fsWrite(full, updated, 'utf8');
    return { ok: true, output: `replaced ${count} occurrence(s) in ${shown}`, artifacts: [shown] };
  });
}

export function listFiles({ cwd, args }: ToolInput<'list_files'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { path: rel = '.', recursive = false } = checkedArgs('list_files', args);
    const full = await resolveInside(cwd, rel);
    if (!(await stat(full)).isDirectory()) throw new ToolError(`${display(cwd, full)} is not a directory`);
    const entries: string[] = [];
    await walk(full, full, recursive, entries);
    const cut =
      entries.length > LIST_CAP_ENTRIES ? `\n[${entries.length - LIST_CAP_ENTRIES} more entries]` : '';
    return { ok: true, output: (entries.slice(0, LIST_CAP_ENTRIES).join('\n') || '(empty)') + cut };
  });
}

async function walk(base: string, dir: string, recursive: boolean, out: string[]): Promise<void> {
  const items = (await readdir(dir, { withFileTypes: true })).sort(byName);
  for (const item of items) {
    const rel = path.relative(base, path.join(dir, item.name));
    if (item.isDirectory()) {
      out.push(`${rel}/`);
      if (recursive && !SKIPPED_DIRS.has(item.name) && out.length <= LIST_CAP_ENTRIES) {
        await walk(base, path.join(dir, item.name), recursive, out);
      }
    } else {
      out.push(item.isSymbolicLink() ? `${rel}@` : rel);
    }
  }
}

/** Every regular file under `dir`, skipping VCS and dependency folders and symlinks. */
export async function* filesUnder(dir: string): AsyncGenerator<string> {
  const items = (await readdir(dir, { withFileTypes: true })).sort(byName);
  for (const item of items) {
    const full = path.join(dir, item.name);
    if (item.isDirectory() && !SKIPPED_DIRS.has(item.name)) yield* filesUnder(full);
    else if (item.isFile()) yield full;
  }
}
