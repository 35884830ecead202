/**
 * The web dashboard, served on the API's own origin from dist/dashboard (scripts/build-dashboard.mjs):
 * `GET /` is the page, `/dashboard/<file>` its assets, and any other `/dashboard/...` path the
 * page again (it routes in the browser). A strict Content-Security-Policy: everything from
 * this origin only, no inline script, no eval. The Host check (hosts.ts) runs before it, as
 * for the API.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Router, type Response } from 'express';
import { DEFAULTS, webUiLink } from '../config';
import { packageRoot } from '../package-root';
import { ApiError } from './errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Same origin only; `connect-src 'self'` covers the feed's WebSocket (ws: on the same host). */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** dist/dashboard, found from the package root (this file runs from dist/src/api, or from src/api under jest). */
export function dashboardDir(from = __dirname): string {
  return path.join(packageRoot(from), 'dist', 'dashboard');
}

export interface DashboardOptions {
  /** Where the page's links to each workflow go: the Web UI on `uiPort` (ORCHESTRA_UI_PORT, @default 8233). */
  temporal: { address: string; namespace: string; uiPort?: number };
  dir?: string;
}

export function dashboard({ temporal, dir = dashboardDir() }: DashboardOptions): Router {
  const { address, namespace, uiPort = DEFAULTS.ORCHESTRA_UI_PORT } = temporal;
  const cache = new Map<string, Asset | null>();
  /** A built file, read once (the build replaces the directory; a restart serves the new one). */
  const asset = (name: string): Asset | null => {
    if (!cache.has(name)) {
      const file = path.join(dir, name);
      const type = TYPES[path.extname(name)];
      const body = type && existsSync(file) ? readFileSync(file) : undefined;
      cache.set(
        name,
        body
          ? { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }
          : null,
      );
    }
    return cache.get(name)!;
  };
  const send = (res: Response, found: Asset, ifNoneMatch: string | undefined, cacheControl: string) => {
    res.set({
      'content-type': found.type,
      'cache-control': cacheControl,
      etag: found.etag,
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    if (ifNoneMatch === found.etag) return void res.status(304).end();
    res.status(200).send(found.body);
  };
  const page = (req: { get(h: string): string | undefined }, res: Response) => {
    const html = asset('index.html');
    if (!html) throw new ApiError(404, 'not_found', 'the dashboard is not built: run `npm run build`');
    send(res, html, req.get('if-none-match'), 'no-cache');
  };

  const router = Router({ strict: true });
  router.get('/', page);
  router.get('/dashboard/config.json', (_req, res) => {
    res.set({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.json({
      webUi: webUiLink({ temporalAddress: address, namespace, uiPort }, ''),
    });
  });
  router.get(/^\/dashboard(\/.*)?$/, (req, res) => {
    const name = req.path.slice('/dashboard/'.length);
    if (!/\.[a-z0-9]+$/i.test(name)) return page(req, res); // not a file: the page routes in the browser
    const found = /^[a-z0-9-]+(\.[a-z0-9]+)+$/i.test(name) ? asset(name) : null;
    if (!found) throw new ApiError(404, 'not_found', `no file ${req.path}`);
    // Asked for by digest (index.html's `?v=`): the same URL never changes.
    const cacheControl = req.query.v ? 'public, max-age=31536000, immutable' : 'no-cache';
    send(res, found, req.get('if-none-match'), cacheControl);
  });
  return router;
}
