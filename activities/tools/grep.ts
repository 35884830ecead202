/**
 * grep: regular-expression search over the working directory, in process (no ripgrep needed).
 * Files are walked and opened here, through safe-open.ts, within a budget of files and bytes;
 * their bytes are matched in a thread with a time limit (grep-worker.ts), so no pattern can
 * hold the event loop.
 */
import { Context, heartbeat } from '@temporalio/activity';
import { z } from 'zod';
import { checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { walkTree } from './files';
import { Matcher } from './grep-worker';
import { asOutcome, capText } from './outcome';
import { openEntry, openFileIn, type Entry, type OpenFile } from './safe-open';
import { ToolError } from './sandbox';

const MAX_FILE_BYTES = 2_000_000;
/** What one call reads at most, over all files. */
const MAX_SCAN_FILES = 20_000;
const MAX_SCAN_BYTES = 64 * 2 ** 20;
/** Directory entries looked at, of any kind (a tree of empty directories is work too). */
const MAX_VISITS = 200_000;
/** Files go to the matching thread in batches of about this much. */
const BATCH_BYTES = 2 ** 20;
const BATCH_FILES = 256;
/** Matching time of one call, over all its batches, unless the worker sets GREP_TIME_LIMIT_ENV. */
export const GREP_TIME_LIMIT_MS = 10_000;
export const GREP_TIME_LIMIT_ENV = 'ORCHESTRA_GREP_TIME_LIMIT_SECONDS';

/** The matching time of one call, in ms: the worker's setting, else the default. */
export function grepTimeLimitMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[GREP_TIME_LIMIT_ENV]?.trim();
  if (!value) return GREP_TIME_LIMIT_MS;
  // grep is a local activity with a minute to finish (LOCAL_READ), reading files included.
  const parsed = z.coerce.number().int().min(1).max(45).safeParse(value);
  if (!parsed.success)
    throw new Error(`${GREP_TIME_LIMIT_ENV} must be a whole number of seconds from 1 to 45, not "${value}"`);
  return parsed.data * 1000;
}
const LINE_PREVIEW = 300;

interface Tally {
  files: number;
  bytes: number;
  tooLarge: number;
  refused: number;
  stopped: boolean;
}

export function grep({ cwd, args }: ToolInput<'grep'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { pattern, path: rel = '.', ignoreCase = false, maxResults = 200 } = checkedArgs('grep', args);
    const flags = ignoreCase ? 'i' : '';
    try {
      new RegExp(pattern, flags); // only to tell the model now; matching compiles it in the thread
    } catch (err) {
      throw new ToolError(`invalid regular expression: ${(err as Error).message}`);
    }
    const { cancellationSignal } = Context.current();
    const entry = await openEntry(cwd, rel);
    const matcher = new Matcher(grepTimeLimitMs(), cancellationSignal);
    const tally: Tally = { files: 0, bytes: 0, tooLarge: 0, refused: 0, stopped: false };
    const hits: string[] = [];
    let batch: { shown: string; bytes: Uint8Array }[] = [];
    let batchBytes = 0;
    const flush = async () => {
      const files = batch;
      batch = [];
      batchBytes = 0;
      if (files.length === 0 || hits.length >= maxResults) return;
      const found = await matcher.match({
        pattern,
        flags,
        files: files.map((f) => f.bytes),
        maxHits: maxResults - hits.length,
        preview: LINE_PREVIEW,
      });
      for (const [file, line, text] of found) hits.push(`${files[file].shown}:${line}:${text}`);
      heartbeat();
    };
    try {
      for await (const file of filesOf(entry, tally)) {
        try {
          cancellationSignal.throwIfAborted();
          if (file.stats.size > MAX_FILE_BYTES) {
            tally.tooLarge += 1;
            continue;
          }
          if (tally.files >= MAX_SCAN_FILES || tally.bytes + file.stats.size > MAX_SCAN_BYTES) {
            tally.stopped = true;
            break;
          }
          const bytes = await readUpTo(file, file.stats.size);
          tally.files += 1;
          tally.bytes += bytes.length;
          batch.push({ shown: file.shown, bytes });
          batchBytes += bytes.length;
        } finally {
          await file.handle.close();
        }
        if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) await flush();
        if (hits.length >= maxResults) break;
      }
      await flush();
    } finally {
      matcher.release();
      if (entry.kind === 'dir') await entry.dir.handle.close();
    }
    const found = hits.length ? capText(hits.join('\n'), 50_000) : 'no matches';
    return { ok: true, output: found + notes(tally) };
  });
}

/** The regular files to search, opened; the caller closes each. Links and special files are passed over unopened. */
async function* filesOf(entry: Entry, tally: Tally): AsyncGenerator<OpenFile> {
  if (entry.kind === 'file') {
    yield entry.file;
    return;
  }
  let visits = 0;
  for await (const { dir, item } of walkTree(entry.dir, true)) {
    if (++visits > MAX_VISITS) {
      tally.stopped = true;
      return;
    }
    if (!item.isFile()) continue;
    const file = await openFileIn(dir, item.name, 'read').catch((err: unknown) => {
      // Hard-linked, or swapped for a link or a FIFO since it was listed; or gone.
      if (err instanceof ToolError) tally.refused += 1;
      return undefined;
    });
    if (file) yield file;
  }
}

/** The file's first `size` bytes, in a buffer of its own (it moves to the matching thread). */
async function readUpTo(file: OpenFile, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await file.handle.read(bytes, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? bytes : bytes.subarray(0, filled);
}

function notes(tally: Tally): string {
  const out: string[] = [];
  if (tally.stopped) {
    const mb = (tally.bytes / 2 ** 20).toFixed(1);
    out.push(`[stopped after ${tally.files} files (${mb} MB); search a narrower path]`);
  }
  if (tally.tooLarge) out.push(`[${tally.tooLarge} file(s) over ${MAX_FILE_BYTES} bytes not searched]`);
  if (tally.refused) {
    out.push(`[${tally.refused} file(s) not searched: several hard links, or not a regular file]`);
  }
  return out.map((line) => `\n${line}`).join('');
}
