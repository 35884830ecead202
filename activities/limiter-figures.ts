/** limiterFigures: what this worker's model-call limiter reports, for `orchestra limits` and GET /api/v1/limits. */
import { hostname } from 'node:os';
import type { WorkerLimits } from '../src/domain';
import type { FleetRate } from './fleet-rate';
import type { ModelLimiter } from './model-limiter';

/** The SDK's default worker identity, so the answer names the worker as `temporal task-queue describe` does. */
export const WORKER_IDENTITY = `${process.pid}@${hostname()}`;

export function limiterFigures(limiter: ModelLimiter, fleet?: FleetRate) {
  return async function limiterFigures(): Promise<WorkerLimits> {
    return {
      worker: WORKER_IDENTITY,
      at: new Date().toISOString(),
      model: limiter.figures(),
      // The server's rate, read now: the figure is the fleet's, whichever worker answers.
      fleet: fleet ? await fleet.figures() : null,
    };
  };
}
