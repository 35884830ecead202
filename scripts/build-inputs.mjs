/* global process */
/**
 * Incremental esbuild steps of `npm run build` (the CLI bundle, the dashboard): a step records
 * what its output was made of (esbuild's metafile inputs) and by what (its own script, esbuild,
 * Node), and is skipped while none of that changed since.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as esbuildVersion } from 'esbuild';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The hex SHA-256 of a string or a file's bytes. */
export const sha = (data) => createHash('sha256').update(data).digest('hex');

/** What makes a step's output besides its inputs: the script at `scriptUrl`, this one, esbuild and Node. */
export async function builderKey(scriptUrl) {
  const scripts = await Promise.all(
    [scriptUrl, import.meta.url].map((url) => readFile(fileURLToPath(url), 'utf8')),
  );
  return sha([...scripts, esbuildVersion, process.version].join('\n'));
}

const mtime = async (file) => (await stat(file)).mtimeMs;

/**
 * The record at `madeFile` when every one of `outputs` is newer than every input it lists and
 * `key` is the same; undefined when the step must run again (anything missing counts as changed).
 */
export async function currentRecord(madeFile, key, outputs) {
  try {
    const last = JSON.parse(await readFile(madeFile, 'utf8'));
    if (last.key !== key) return undefined;
    const built = Math.min(...(await Promise.all(outputs.map(mtime))));
    const times = await Promise.all(last.inputs.map((f) => mtime(path.join(root, f))));
    return times.every((t) => t <= built) ? last : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Record what an esbuild `metafile` read (files only, relative to the root), and `alsoRead` (files
 * the step read itself), with `extra` fields.
 */
export async function recordInputs(madeFile, key, metafile, extra = {}, alsoRead = []) {
  const inputs = [...Object.keys(metafile.inputs).filter((f) => !f.includes(':')), ...alsoRead];
  await writeFile(madeFile, JSON.stringify({ key, ...extra, inputs }));
}
