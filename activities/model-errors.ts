/**
 * Sort the model's errors into what Temporal should retry and what must fail at once.
 * The SDK's own retries are off, so this is the only retry decision.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { ModelFailure, type RetryAfter } from '../src/domain';
import type { CallOutcome } from './model-limiter';

const HINTS: Record<number, string> = {
  400: 'the request was invalid',
  401: 'authentication failed: check ANTHROPIC_API_KEY',
  403: 'permission denied for this key',
  404: 'not found: check the model name and ANTHROPIC_BASE_URL',
  413: 'the request is too large',
  422: 'the request could not be processed',
};

/** Seconds (or an HTTP date) from retry-after, or milliseconds from retry-after-ms. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait the API asked for: as Temporal's next retry delay, and in the details for the agent (a local call's failure loses the former). */
function retryAfter(headers: Headers | undefined): { nextRetryDelay?: number; details?: RetryAfter[] } {
  const ms = retryAfterMs(headers);
  return ms === undefined ? {} : { nextRetryDelay: ms, details: [{ retryAfterMs: ms }] };
}

/** What a failed call tells the worker's limiter: a 429 or 529 (and its retry-after) slows it down. */
export function limiterOutcome(err: unknown): CallOutcome {
  if (!(err instanceof Anthropic.APIError) || err instanceof Anthropic.APIUserAbortError)
    return { kind: 'other' };
  const status =
    err.status === 429 ? 429 : err.status === 529 || err.type === 'overloaded_error' ? 529 : undefined;
  if (status === undefined) return { kind: 'other' };
  const ms = retryAfterMs(err.headers);
  return { kind: 'limited', status, ...(ms === undefined ? {} : { retryAfterMs: ms }) };
}

export function classifyModelError(err: unknown): unknown {
  if (err instanceof Anthropic.APIUserAbortError) return err;
  if (err instanceof Anthropic.APIConnectionError) {
    return ApplicationFailure.retryable(
      `model endpoint unreachable: ${err.message}`,
      ModelFailure.connection,
    );
  }
  if (!(err instanceof Anthropic.APIError) || err.status === undefined) return err;
  const status = err.status;
  const detail = `${status} ${err.type ?? ''} ${err.apiMessage ?? err.message}`.replace(/\s+/g, ' ').trim();
  if (status === 429) {
    return ApplicationFailure.create({
      message: `rate limited by the model provider (${detail})`,
      type: ModelFailure.rateLimited,
      ...retryAfter(err.headers),
    });
  }
  if (status === 529 || err.type === 'overloaded_error') {
    return ApplicationFailure.create({
      message: `model overloaded (${detail})`,
      type: ModelFailure.overloaded,
      ...retryAfter(err.headers),
    });
  }
  if (status >= 500 || status === 408 || status === 409) {
    return ApplicationFailure.retryable(`model server error (${detail})`, ModelFailure.serverError);
  }
  const hint = HINTS[status] ?? 'the request was refused';
  return ApplicationFailure.nonRetryable(`model call failed: ${hint} (${detail})`, ModelFailure.rejected);
}
