/**
 * The 3D view's harness page (test/fixtures/scene3d/harness.tsx), bundled with esbuild into a
 * temporary directory and served on loopback: what the browser test and the bench load.
 * Browser launch settings live here too, so both drive the same software-WebGL Chromium.
 */
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';

const HARNESS = 'test/fixtures/scene3d/harness.tsx';

/** The harness's source, from test/helpers (jest) or dist/test/helpers (the bench). */
function entry(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, HARNESS))) return join(dir, HARNESS);
  throw new Error(`cannot find ${HARNESS} above ${__dirname}`);
}

export { CHROMIUM, CHROMIUM_ARGS } from './browser';

const INDEX = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Orchestra 3D view</title>
<style>html,body,#root{margin:0;height:100%;background:#0d1117;overflow:hidden}</style></head>
<body><div id="root"></div><script src="harness.js"></script></body></html>`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

export interface SceneHarness {
  /** The page: add `?agents=N&zones=M`. */
  url: string;
  /** Bytes of the bundled script. */
  bundleBytes: number;
  close(): Promise<void>;
}

export async function startSceneHarness(): Promise<SceneHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-scene3d-'));
  await build({
    entryPoints: { harness: entry() },
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
  await writeFile(join(dir, 'index.html'), INDEX);
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
