/**
 * One base class for the errors Orchestra raises on purpose. Its `code` says what kind of
 * failure it is, and that alone decides the CLI's exit code (src/cli/errors.ts) and the
 * API's HTTP status (src/api/errors.ts): each is one table over these codes. The codes
 * are the API's error body codes, so an error keeps its name from the CLI to the API.
 */

export const ERROR_CODES = [
  /** The request itself is malformed: bad input, a bad config file or setting. */
  'bad_request',
  /** No credentials, or ones that were refused. */
  'unauthorized',
  /** Known, but not allowed to do this. */
  'forbidden',
  /** The id named no agent, swarm, session or registry entry. */
  'not_found',
  /** A chosen id that is taken. */
  'already_exists',
  /** Not allowed in the current status (pausing a completed agent, ...). */
  'invalid_transition',
  /** Too many at once: try again later. */
  'rate_limited',
  /** A service it needs (Temporal, a worker) is not there: try again later. */
  'unavailable',
  /** Anything else: a bug, or a misconfiguration of the server. */
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class OrchestraError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * No worker took a request within its wait (a zones change, a swarm's intake): `unavailable`,
 * and its message, which names what waited and how long, is fit for any caller to read.
 */
export class NoWorkerInTimeError extends OrchestraError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

/** The code of any error: an OrchestraError's own, `internal` for the rest. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof OrchestraError ? err.code : 'internal';
}

export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The messages of an error and its causes, joined: Temporal's client errors say what failed
 * ("Failed to query Workflow") and leave why to their cause.
 */
export function causeMessages(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as Error | undefined, i = 0; e && i < 5; e = e.cause as Error | undefined, i++)
    parts.push(String(e.message));
  return parts.join(': ');
}
