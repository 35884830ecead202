/** Worker entry point: `orchestra worker`, or `node dist/workers/main.js`. Runs until SIGINT/SIGTERM. */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, type OrchestraConfig } from '../src/config';
import { activityDeps, loadOrchestraFile } from '../src/config-file';
import { installRuntimeLogging } from '../src/logging';
import { temporalAuth } from '../src/temporal/tls';
import { createOrchestraWorker } from './worker';

export async function runWorker(config: OrchestraConfig = loadConfig()): Promise<void> {
  installRuntimeLogging(undefined, config.metricsAddress);
  const connection = await NativeConnection.connect({ address: config.temporalAddress, ...temporalAuth() });
  try {
    const worker = await createOrchestraWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      deps: activityDeps(config, loadOrchestraFile(config).file),
      modelConcurrency: config.modelConcurrency,
      modelCallsPerMinute: config.modelCallsPerMinute,
    });
    // The SDK shuts the worker down gracefully on SIGINT and SIGTERM.
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
