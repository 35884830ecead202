/* global console, process */
/**
 * Builds the dashboard (src/dashboard) into dist/dashboard: index.html, app.js and app.css,
 * one bundle each with its source map. Run by `npm run build`. The page loads nothing from
 * elsewhere: no CDN, no fonts, no network beyond its own origin.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src/dashboard');
const out = path.join(root, 'dist/dashboard');

const started = Date.now();
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: path.join(source, 'main.tsx') },
  outdir: out,
  bundle: true,
  minify: process.env.ORCHESTRA_DASHBOARD_MINIFY !== '0',
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
const digest = async (name) =>
  createHash('sha256')
    .update(await readFile(path.join(out, name)))
    .digest('hex')
    .slice(0, 12);
const html = (await readFile(path.join(source, 'index.html'), 'utf8'))
  .replace('app.css', `app.css?v=${await digest('app.css')}`)
  .replace('app.js', `app.js?v=${await digest('app.js')}`);
await writeFile(path.join(out, 'index.html'), html);

const size = async (name) => ((await readFile(path.join(out, name))).length / 1024).toFixed(0);
console.error(
  `dashboard: dist/dashboard (app.js ${await size('app.js')} KiB, app.css ${await size('app.css')} KiB) in ${Date.now() - started} ms`,
);
process.exitCode = 0;
