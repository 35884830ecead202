/* global console, process */
/**
 * Bundles the built CLI (dist/src/cli/main.js) into dist/src/cli/bundle.js, which the `orchestra`
 * command (dist/src/cli/orchestra.js) runs with V8's code cache for its short commands, and makes
 * that cache by running `orchestra --version` once. Run by `npm run build`, after tsc.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'dist/src/cli');
const bundle = path.join(dir, 'bundle.js');
/** The files the bundle was made of: it is kept while none is newer (the build is incremental). */
const inputs = path.join(dir, 'bundle.inputs.json');

/**
 * What only the long-running commands (worker, server, api, demo, model-server, codec-server)
 * import: never run from the bundle (orchestra.ts sends those commands to main.js), so left out
 * of it, and with them the worker, Express and the bundler.
 */
const LONG_RUNNING_IMPORTS = [
  'workers/main',
  'src/api/server',
  'src/logging',
  'src/temporal/dev-server',
  'src/llm/script',
  'src/llm/scripted-server',
  'src/api/tokens',
  'src/codec/server',
  'src/cli/demo/demo',
];

const leaveOut = {
  name: 'long-running-commands',
  setup(b) {
    // tsc makes each `await import()` a require() inside a promise: matched by who asks, and what.
    b.onResolve({ filter: /^\./ }, (args) => {
      if (path.relative(dir, args.importer) !== path.join('commands', path.basename(args.importer)))
        return undefined;
      const target = path.relative(path.join(root, 'dist'), path.resolve(args.resolveDir, args.path));
      return LONG_RUNNING_IMPORTS.includes(target) ? { path: args.path, external: true } : undefined;
    });
  },
};

const mtime = async (file) => (await stat(file)).mtimeMs;
async function upToDate() {
  try {
    const [made] = await Promise.all([mtime(bundle), mtime(`${bundle}.cache`)]);
    const files = JSON.parse(await readFile(inputs, 'utf8'));
    const times = await Promise.all(files.map((f) => mtime(path.join(root, f))));
    return times.every((t) => t <= made);
  } catch {
    return false; // something is missing: build
  }
}

const started = Date.now();
if (await upToDate()) process.exit(0);
await rm(`${bundle}.cache`, { force: true });
const { metafile } = await build({
  entryPoints: [path.join(dir, 'main.js')],
  outfile: bundle,
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
await writeFile(inputs, JSON.stringify(Object.keys(metafile.inputs)));
// The cache holds what a run compiled: --version runs every module's top level.
execFileSync(process.execPath, [path.join(dir, 'orchestra.js'), '--version'], { stdio: 'ignore' });
console.error(`cli: dist/src/cli/bundle.js and its code cache in ${Date.now() - started} ms`);
