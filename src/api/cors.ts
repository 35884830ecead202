/**
 * CORS for a dashboard hosted elsewhere (ORCHESTRA_API_CORS_ORIGINS): pages at exactly the
 * listed origins may read the API's answers and send credentials (the bearer header, or the
 * sign-in cookie where the browser sends it); preflights from them are answered here. Every
 * other origin gets no CORS header at all, so its pages read nothing, and hosts.ts refuses
 * what they would change. Without the variable the API sends no CORS header.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { describeIssue } from '../domain';
import { webOriginSchema } from '../config';

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-CSRF-Token, Last-Event-ID';
/** Answers a page may read besides the simple ones. */
const EXPOSED_HEADERS = 'Retry-After';

/** The allowlist, checked: a bad entry stops the API at start with the entry named. */
export function corsOrigins(origins: string[] | undefined): Set<string> {
  const parsed = z.array(webOriginSchema).safeParse(origins ?? []);
  if (!parsed.success) throw new Error(`ORCHESTRA_API_CORS_ORIGINS: ${describeIssue(parsed.error)}`);
  return new Set(parsed.data);
}

export function cors(origins: Set<string>): RequestHandler {
  return (req, res, next) => {
    if (origins.size === 0) return next();
    res.vary('Origin'); // an answer differs by Origin: caches must not share them
    const origin = req.headers.origin;
    if (origin === undefined || !origins.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    next();
  };
}
