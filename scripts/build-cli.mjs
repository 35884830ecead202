/* global console, process */
/**
 * Bundles the built CLI (dist/src/cli/main.js) into dist/src/cli/bundle.js, which the `orchestra`
 * command (dist/src/cli/orchestra.js) runs with V8's code cache for its short commands, and makes
 * that cache by running `orchestra --version` once. Run by `npm run build`, after tsc.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'dist/src/cli');
const bundle = path.join(dir, 'bundle.js');
/** What the bundle was made of and by: it is kept while that holds (the build is incremental). */
const made = path.join(dir, 'bundle.inputs.json');
const { LONG_RUNNING_IMPORTS } = createRequire(import.meta.url)(path.join(dir, 'long-running.js'));

const sha = (text) => createHash('sha256').update(text).digest('hex');
/** This script, esbuild and Node: a change to any of them makes another bundle. */
const key = sha(
  [await readFile(fileURLToPath(import.meta.url), 'utf8'), esbuildVersion, process.version].join('\n'),
);

/**
 * What only the long-running commands import: never run from the bundle (orchestra.ts sends
 * those commands to main.js), so in it a stub that says so, and the worker, Express and the
 * bundler stay out.
 */
const leaveOut = {
  name: 'long-running-commands',
  setup(b) {
    // tsc makes each `await import()` a require() inside a promise: matched by who asks, and what.
    b.onResolve({ filter: /^\./ }, (args) => {
      if (path.relative(dir, args.importer) !== path.join('commands', path.basename(args.importer)))
        return undefined;
      const target = path.relative(path.join(root, 'dist'), path.resolve(args.resolveDir, args.path));
      return LONG_RUNNING_IMPORTS.includes(target) ? { path: target, namespace: 'long-running' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'long-running' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} runs from dist/src/cli/main.js, not the bundle`)});`,
      loader: 'js',
    }));
  },
};

const mtime = async (file) => (await stat(file)).mtimeMs;
async function upToDate() {
  try {
    const last = JSON.parse(await readFile(made, 'utf8'));
    if (last.key !== key || !existsSync(path.join(dir, `bundle.${last.hash}.cache`))) return false;
    const built = await mtime(bundle);
    const times = await Promise.all(last.inputs.map((f) => mtime(path.join(root, f))));
    return times.every((t) => t <= built);
  } catch {
    return false; // something is missing: build
  }
}

const started = Date.now();
if (await upToDate()) process.exit(0);
for (const file of await readdir(dir)) if (/^bundle\..*cache/.test(file)) await rm(path.join(dir, file));
const { metafile, outputFiles } = await build({
  entryPoints: [path.join(dir, 'main.js')],
  outfile: bundle,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  plugins: [leaveOut],
  metafile: true,
  logLevel: 'warning',
  // The OpenTelemetry plugin finds its workflow interceptors with require.resolve, which a bundle
  // cannot answer: with tracing on, orchestra.js runs main.js instead.
  logOverride: { 'require-resolve-not-external': 'silent' },
});
const code = outputFiles[0].text.replace(/^#!.*\n/, '');
const hash = sha(code).slice(0, 16);
// orchestra.ts names the code cache by this line (V8 checks a cache against the source's length only).
await writeFile(bundle, `// cache-key ${hash}\n${code}`);
await writeFile(
  made,
  JSON.stringify({ key, hash, inputs: Object.keys(metafile.inputs).filter((f) => !f.includes(':')) }),
);
// The cache holds what a run compiled: --version runs every module's top level. Not traced, which runs main.js.
const env = { ...process.env };
delete env.ORCHESTRA_OTEL_ENDPOINT;
execFileSync(process.execPath, [path.join(dir, 'orchestra.js'), '--version'], { stdio: 'ignore', env });
if (!existsSync(path.join(dir, `bundle.${hash}.cache`)))
  throw new Error('no code cache was made for the CLI bundle');
console.error(`cli: dist/src/cli/bundle.js and its code cache in ${Date.now() - started} ms`);
