/** limiterFigures: what this worker's model-call limiter reports, for `orchestra limits` and GET /api/v1/limits. */
import { hostname } from 'node:os';
import type { WorkerLimits } from '../src/domain';
import type { ModelLimiter } from './model-limiter';

/** The SDK's default worker identity, so the answer names the worker as `temporal task-queue describe` does. */
const IDENTITY = `${process.pid}@${hostname()}`;

export function limiterFigures(limiter: ModelLimiter) {
  return async function limiterFigures(): Promise<WorkerLimits> {
    return { worker: IDENTITY, at: new Date().toISOString(), model: limiter.figures() };
  };
}
