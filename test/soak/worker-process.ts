/** Worker processes for the soak: test/helpers/worker-process.ts, and a wait until they poll. */
import { pollersOn } from '../../src/temporal/health';
import type { Harness } from '../helpers/harness';
import { until } from '../helpers/poll';
import type { WorkerProcess } from '../helpers/worker-process';

export { startWorkerProcess, WORKER_ENTRY, type WorkerProcess } from '../helpers/worker-process';

/** Resolves once every one of `workers` polls the harness's workflow queue (the SDK names a worker `<pid>@<host>`). */
export async function polling(h: Harness, workers: WorkerProcess[], timeoutMs = 120_000): Promise<void> {
  await until(
    async () => (await pollersOn(h.client, h.taskQueue)).map((p) => p.identity),
    (ids) => workers.every((w) => ids.some((id) => id.startsWith(`${w.child.pid}@`))),
    'worker processes polling',
    timeoutMs,
    200,
  );
}
