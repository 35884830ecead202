/**
 * Every error leaves the API as `{ error: { code, message, details? } }` with a status that
 * says whose fault it was. Nothing a client sends can produce a 500.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  causeMessages,
  describeIssue,
  isErrorCode,
  NoWorkerInTimeError,
  OrchestraError,
  type ErrorCode,
} from '../domain';

/** The HTTP status of each error code: the one mapping from Orchestra's errors to statuses. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  invalid_transition: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/**
 * An error as the API answers it: a status, and the finer code of its body (`apiCode`:
 * `malformed_json`, `temporal_unavailable`, ...). Its `code` is the kind that status is.
 */
export class ApiError extends OrchestraError {
  constructor(
    readonly status: number,
    readonly apiCode: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, for the Retry-After header of a 429 or 503. */
    readonly retryAfter?: number,
  ) {
    super(codeOf(status, apiCode), message);
  }
}

function codeOf(status: number, apiCode: string): ErrorCode {
  if (isErrorCode(apiCode) && HTTP_STATUS[apiCode] === status) return apiCode;
  const codes = Object.keys(HTTP_STATUS).filter(isErrorCode);
  return codes.find((code) => HTTP_STATUS[code] === status) ?? (status < 500 ? 'bad_request' : 'internal');
}

export const notFound = (what: string, id: string) =>
  new ApiError(404, 'not_found', `no ${what} with id "${id}"`);

export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z
          .string()
          .describe('Stable, machine-readable: invalid_request, not_found, invalid_transition, ...'),
        message: z.string().describe('What went wrong, for a person'),
        details: z.unknown().optional().describe('The failed fields, for invalid_request'),
      })
      .strict(),
  })
  .strict();

/** gRPC status codes that mean "the server is not there" rather than "you asked wrongly". */
const UNREACHABLE = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

function grpcCode(err: unknown): number | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

/** Body-parser's own errors carry a `type`. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'body_too_large', 'the request body is too large'],
  'entity.parse.failed': [400, 'malformed_json', 'the request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'unsupported charset'],
  'request.aborted': [400, 'request_aborted', 'the request was aborted'],
  'request.size.invalid': [400, 'bad_request', 'the body does not match its content-length'],
};

/** The codes of 4xx statuses that reach the handler as a bare status (Express's and its body reader's errors). */
const CLIENT_CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'body_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

/**
 * An error that says it is the client's: Express's router and body reader (http-errors) set a
 * 4xx `status` on what they throw, a malformed percent-encoding or a body that does not inflate
 * among them. Its message is the client's to read only when it says so (`expose`).
 */
function clientError(err: unknown): ApiError | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown } | null;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499)
    return undefined;
  if (err instanceof URIError) {
    return new ApiError(400, 'malformed_path', 'the path is not valid percent-encoded UTF-8');
  }
  const message =
    e?.expose === true && typeof e.message === 'string' && e.message
      ? e.message
      : (STATUS_CODES[status] ?? 'bad request');
  return new ApiError(status, CLIENT_CODES[status] ?? 'bad_request', message);
}

/** 503: Temporal is not there, or did not answer in the API's budget. Retry after `seconds`. */
export const temporalUnavailable = (
  message = 'the Temporal server is not reachable; try again shortly',
  seconds = 5,
) => new ApiError(503, 'temporal_unavailable', message, undefined, seconds);

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) {
    return new ApiError(400, 'invalid_request', describeIssue(err), err.issues);
  }
  const bodyError = BODY_ERRORS[(err as { type?: string })?.type ?? ''];
  if (bodyError) return new ApiError(bodyError[0], bodyError[1], bodyError[2]);
  const fromClient = clientError(err);
  if (fromClient) return fromClient;
  if (err instanceof OrchestraError) {
    // Temporal's absence has its own body and Retry-After (a request no worker took says what
    // waited); a server's own fault says no more.
    if (err.code === 'unavailable')
      return temporalUnavailable(err instanceof NoWorkerInTimeError ? err.message : undefined);
    if (err.code === 'internal') return new ApiError(500, 'internal', 'internal error');
    return new ApiError(HTTP_STATUS[err.code], err.code, err.message);
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new ApiError(409, 'already_exists', 'that id is taken: choose another, or leave it out');
  }
  const code = grpcCode(err);
  if (code === 3 /* INVALID_ARGUMENT */) {
    return new ApiError(400, 'bad_request', `Temporal refused the request: ${(err as Error).message}`);
  }
  if (code === 9 /* FAILED_PRECONDITION */ && /no poller/i.test(causeMessages(err))) {
    // Reading a workflow's state (a query) needs a worker; none is polling its task queue.
    return new ApiError(
      503,
      'no_worker',
      'no worker is running for it right now, so its state cannot be read; try again shortly',
    );
  }
  if (code !== undefined && UNREACHABLE.has(code)) return temporalUnavailable();
  return new ApiError(500, 'internal', 'internal error');
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const apiError = toApiError(err);
    // A fault of ours in full; Temporal or a worker not there (503) in a line.
    if (apiError.status === 500) log.error({ err, method: req.method, path: req.path }, 'request failed');
    else if (apiError.status > 500)
      log.warn({ reason: String((err as Error)?.message ?? err), path: req.path }, 'request unavailable');
    if (res.headersSent) return next(err);
    if (apiError.retryAfter !== undefined) res.setHeader('Retry-After', String(apiError.retryAfter));
    else if (apiError.status === 503) res.setHeader('Retry-After', '5');
    res.status(apiError.status).json({
      error: {
        code: apiError.apiCode,
        message: apiError.message,
        ...(apiError.details === undefined ? {} : { details: apiError.details }),
      },
    });
  };
}
