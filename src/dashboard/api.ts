/**
 * The page's REST client: same origin, the session cookie sent by the browser (never a token
 * in a URL), and the CSRF token a login gave on every request that changes state.
 */

export const API = '/api/v1';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Held in memory only: a reloaded page gets it again from GET /me. */
let csrfToken: string | undefined;
const unauthorized = new Set<() => void>();

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any request answers 401: the page shows its login form. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorized.add(listener);
  return () => unauthorized.delete(listener);
}

/** The sign-in ended (a 401, or the feed said so): every listener shows the login form. */
export function signedOut(): void {
  unauthorized.forEach((listener) => listener());
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401) signedOut();
    throw new HttpError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${method} ${path}: ${response.status}`,
    );
  }
  return parsed as T;
}

/** `?a=1&b=2` from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : '';
}
