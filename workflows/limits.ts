/**
 * limitsWorkflow: asks the worker that runs it for its model-call limiter's figures. The
 * figures live in a worker's process; a local activity runs on the very worker that took the
 * workflow task, so the answer is that worker's (`orchestra limits`, GET /api/v1/limits).
 */
import type { WorkerLimits } from '../src/domain/model-limits';
import { localActivities } from './agent/activity-options';

export async function limitsWorkflow(): Promise<WorkerLimits> {
  return localActivities(
    { startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } },
    'model limits',
  ).limiterFigures();
}
