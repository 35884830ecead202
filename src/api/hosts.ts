/**
 * Which names the API answers to. A web page can make a browser send requests to the API
 * (DNS rebinding: the page's own name made to resolve to 127.0.0.1; or a cross-site form or
 * fetch), and a browser sends no bearer token by itself, but it always says whose page asks:
 * the `Host` it believes it talks to and, on a POST or DELETE, the page's `Origin`. Both must
 * name the API: a loopback name or address with the API's port, the address it is bound to,
 * or a host the operator lists (ORCHESTRA_API_ALLOWED_HOSTS). Others are refused: 421 for a
 * foreign Host, 403 for a foreign Origin. The check holds with tokens too (it costs nothing);
 * an operator who fronts the API with their own checks lists `*` to turn it off.
 */
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

/** Loopback names and addresses: the only places the API listens without tokens, and the names it always answers to. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface AllowedHostsOptions {
  /** The address the API is bound to: allowed (with the port) when it is a specific one. */
  bindHost: string;
  /** The port it listens on; read per request, since port 0 is chosen at listen. */
  port: () => number;
  /** `name`, `name:port`, `[v6]`, `[v6]:port`, `*.domain` (any name under it), or `*` (no check). Without a port, any port. */
  extra?: string[];
}

interface HostPort {
  /** Lowercase, IPv6 in brackets; in an allowed entry, a leading `*.` matches any name under the rest. */
  name: string;
  /** Undefined: any port (an allowed entry), or the scheme's default (a Host header). */
  port?: number;
}

/** `name`, `name:port`, `[v6]` or `[v6]:port` (and `*.name` where `pattern`); undefined when it is none of those. */
export function parseHostPort(text: string, pattern = false): HostPort | undefined {
  const match = /^(\[[0-9a-f:.]+\]|(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?)(?::(\d{1,5}))?$/i.exec(
    text.trim(),
  );
  if (!match || (match[2] && !pattern)) return undefined;
  const port = match[4] === undefined ? undefined : Number(match[4]);
  if (port !== undefined && port > 65535) return undefined;
  return { name: match[1].toLowerCase(), port };
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]', '']);

export class AllowedHosts {
  private readonly entries: HostPort[];
  /** `*` was listed: no checks. */
  readonly open: boolean;

  constructor(private readonly options: AllowedHostsOptions) {
    const extra = options.extra ?? [];
    this.open = extra.includes('*');
    this.entries = extra
      .filter((e) => e !== '*')
      .map((text) => {
        const parsed = parseHostPort(text, true);
        if (!parsed) throw new Error(`ORCHESTRA_API_ALLOWED_HOSTS: "${text}" is not a host or host:port`);
        return parsed;
      });
  }

  /** Whether `host` (a Host header, or an Origin's host and port) names this API. */
  allows(host: HostPort): boolean {
    if (this.open) return true;
    const port = this.options.port();
    const bare = host.name.replace(/^\[(.*)\]$/, '$1');
    if (isLoopback(bare) && host.port === port) return true;
    const bind = this.options.bindHost.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!WILDCARD_BINDS.has(bind) && bare === bind && host.port === port) return true;
    return this.entries.some(
      (e) =>
        (e.port === undefined || e.port === host.port) &&
        (e.name.startsWith('*.') ? host.name.endsWith(e.name.slice(1)) : e.name === host.name),
    );
  }

  /** The middleware: Host on every request, Origin on those that change state. */
  middleware(): RequestHandler {
    return (req, _res, next) => {
      if (this.open) return next();
      // HTTP/1.0 may leave Host out (Node requires it of 1.1); a browser never does.
      const hostHeader = req.headers.host;
      if (hostHeader !== undefined) {
        const host = parseHostPort(hostHeader);
        // A Host without a port means the scheme's default: 80, for this plain-HTTP server.
        if (!host || !this.allows({ name: host.name, port: host.port ?? 80 })) {
          return next(
            new ApiError(
              421,
              'host_not_allowed',
              `this API does not answer to the host "${hostHeader.slice(0, 100)}"; ` +
                'its operator may add it to ORCHESTRA_API_ALLOWED_HOSTS',
            ),
          );
        }
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !SAFE_METHODS.has(req.method) && !this.allowsOrigin(origin)) {
        return next(
          new ApiError(
            403,
            'origin_not_allowed',
            `requests from pages at "${origin.slice(0, 100)}" may not change anything here; ` +
              'its operator may add that host to ORCHESTRA_API_ALLOWED_HOSTS',
          ),
        );
      }
      next();
    };
  }

  /** Whether a page at `origin` may act here (an `Origin` header's value). */
  allowsOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // `null` (a sandboxed frame, a file), or garbage
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const host = parseHostPort(url.host);
    if (!host) return false;
    return this.allows({ name: host.name, port: host.port ?? (url.protocol === 'https:' ? 443 : 80) });
  }
}

/** Methods that change nothing: a cross-site page may send them, but cannot read the answer. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
