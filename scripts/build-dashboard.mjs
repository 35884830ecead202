/* global console, process */
/**
 * Builds the dashboard (src/dashboard) into dist/dashboard: index.html, app.js and app.css,
 * one bundle each with its source map. Run by `npm run build`, which skips it while its sources
 * are unchanged. The page loads nothing from elsewhere: no CDN, no fonts, no network beyond its
 * own origin.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { build } from 'esbuild';
import { builderKey, currentRecord, recordInputs, root, sha } from './build-inputs.mjs';

const source = path.join(root, 'src/dashboard');
const out = path.join(root, 'dist/dashboard');
/** What the page was made of (beside dist/dashboard: the server serves that directory). */
const made = path.join(root, 'dist/dashboard.inputs.json');
const minify = process.env.ORCHESTRA_DASHBOARD_MINIFY !== '0';
const key = `${await builderKey(import.meta.url)}:${minify}`;

const started = Date.now();
const outputs = ['index.html', 'app.js', 'app.css'].map((name) => path.join(out, name));
if (await currentRecord(made, key, outputs)) process.exit(0);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const { metafile } = await build({
  entryPoints: { app: path.join(source, 'main.tsx') },
  absWorkingDir: root,
  outdir: out,
  bundle: true,
  minify,
  metafile: true,
  sourcemap: true,
  target: 'es2022',
  format: 'esm',
  // The 3D view's three.js is its own chunk, loaded when its tab is opened.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});

/** A short digest of a built file: the page asks for `app.js?v=<digest>`, which may be cached for good. */
const digest = async (name) => sha(await readFile(path.join(out, name))).slice(0, 12);
const html = (await readFile(path.join(source, 'index.html'), 'utf8'))
  .replace('app.css', `app.css?v=${await digest('app.css')}`)
  .replace('app.js', `app.js?v=${await digest('app.js')}`);
await writeFile(path.join(out, 'index.html'), html);
// The page (index.html) is read, not bundled, and esbuild reads tsconfig.json: inputs too.
await recordInputs(made, key, metafile, {}, [
  path.relative(root, path.join(source, 'index.html')),
  'tsconfig.json',
]);

const size = async (name) => ((await readFile(path.join(out, name))).length / 1024).toFixed(0);
console.error(
  `dashboard: dist/dashboard (app.js ${await size('app.js')} KiB, app.css ${await size('app.css')} KiB) in ${Date.now() - started} ms`,
);
process.exitCode = 0;
