/**
 * How the API names what went wrong: Temporal's client errors say what failed and leave why
 * to their cause, and the status must come from the why (no server needed).
 */
import { ServiceError } from '@temporalio/client';
import { toApiError } from '../src/api/errors';
import { NoWorkerInTimeError } from '../src/domain';
import { ServerUnreachableError } from '../src/temporal/connection';

const grpc = (code: number, message: string) => Object.assign(new Error(`${code} ${message}`), { code });

test('a query no worker can answer is a 503 no_worker, though the client says only "Failed to query Workflow"', () => {
  const err = new ServiceError('Failed to query Workflow', {
    cause: grpc(9, 'FAILED_PRECONDITION: no poller seen for task queue recently, worker may be down'),
  });
  expect(toApiError(err)).toMatchObject({ status: 503, apiCode: 'no_worker' });
});

test('another failed precondition is not mistaken for it, and an unknown fault is a 500 that says no more', () => {
  const other = new ServiceError('Failed to query Workflow', {
    cause: grpc(9, 'FAILED_PRECONDITION: something else'),
  });
  expect(toApiError(other)).toMatchObject({ status: 500, apiCode: 'internal', message: 'internal error' });
  expect(toApiError(new TypeError('x is undefined'))).toMatchObject({
    status: 500,
    message: 'internal error',
  });
});

test('Temporal out of reach is a 503 with a retry hint', () => {
  const err = new ServiceError('Failed to list', { cause: grpc(14, 'UNAVAILABLE: connection refused') });
  expect(toApiError(err)).toMatchObject({ status: 503, apiCode: 'temporal_unavailable', retryAfter: 5 });
});

test('a request no worker took in time says what waited; a client that cannot reach Temporal says no more', () => {
  const late = new NoWorkerInTimeError('no worker took the change to the zones of workspace "w" within 20 s');
  expect(toApiError(late)).toMatchObject({
    status: 503,
    apiCode: 'temporal_unavailable',
    message: late.message,
  });
  const refused = new ServerUnreachableError(
    'the Temporal server at 10.0.0.5:7233 refused this client (bad key)',
  );
  expect(toApiError(refused)).toMatchObject({
    status: 503,
    message: 'the Temporal server is not reachable; try again shortly',
  });
});
