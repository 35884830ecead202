/**
 * A harness page (one dashboard view on synthetic data, test/fixtures/<view>/harness.tsx),
 * bundled with esbuild into a temporary directory and served on loopback: what the browser
 * tests and the bench load. Browser launch settings are re-exported here, so both drive the
 * same software-WebGL Chromium.
 */
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';

/** A harness's source, from test/helpers (jest) or dist/test/helpers (the bench). */
function entry(harness: string): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, harness))) return join(dir, harness);
  throw new Error(`cannot find ${harness} above ${__dirname}`);
}

export { CHROMIUM, CHROMIUM_ARGS } from './browser';

/** The page; a harness that imports CSS gets its bundle linked. */
const index = (css: boolean) => `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Orchestra harness</title>
${css ? '<link rel="stylesheet" href="harness.css">' : ''}
<style>html,body,#root{margin:0;height:100%;background:#0d1117;overflow:hidden}</style></head>
<body><div id="root"></div><script src="harness.js"></script></body></html>`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export interface HarnessPage {
  /** The page: add the harness's query (`?agents=N`...). */
  url: string;
  /** Bytes of the bundled script. */
  bundleBytes: number;
  close(): Promise<void>;
}

export const startSceneHarness = () => startHarnessPage('test/fixtures/scene3d/harness.tsx');
export const startListHarness = () => startHarnessPage('test/fixtures/agent-list/harness.tsx');

/** Bundle the harness at this path (from the project's root) and serve it. */
async function startHarnessPage(harness: string): Promise<HarnessPage> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-harness-'));
  await build({
    entryPoints: { harness: entry(harness) },
    bundle: true,
    outdir: dir,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  await writeFile(join(dir, 'index.html'), index(existsSync(join(dir, 'harness.css'))));
  const bundleBytes = (await readFile(join(dir, 'harness.js'))).length;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) return void res.writeHead(404).end();
    readFile(file).then(
      (body) =>
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    bundleBytes,
    close: async () => {
      await closeServer(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((ok) => server.close(() => ok()));
}
