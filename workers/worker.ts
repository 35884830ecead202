/** Builds the Orchestra worker: every workflow and activity, on one task queue. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export interface OrchestraWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A bundle made once and shared by several workers (tests, benchmarks). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Override anything else, e.g. `maxConcurrentActivityTaskExecutions`. */
  overrides?: Partial<WorkerOptions>;
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export function createOrchestraWorker(options: OrchestraWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    // Let in-flight activities report before a graceful shutdown gives up on them.
    shutdownGraceTime: '5 seconds',
    // A dead worker's sticky queue holds its agents' next workflow task until this runs out
    // (SDK default 10s). Agent histories are short (continue-as-new), so a replay elsewhere is cheap.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    // Heartbeats carry cancellation to a running activity; the SDK would otherwise hold them
    // back for up to 80% of the heartbeat timeout (24s for a model call), and a cancelled
    // model call would keep streaming, and billing, that long.
    maxHeartbeatThrottleInterval: '2 seconds',
    ...options.overrides,
  });
}
