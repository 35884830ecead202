/** Worker entry point: `orchestra worker`, or `node dist/workers/main.js`. Runs until SIGINT/SIGTERM. */
import { loadConfig, type OrchestraConfig } from '../src/config';
import { createWorker } from './create-worker';

export async function runWorker(config: OrchestraConfig = loadConfig()): Promise<void> {
  const running = await createWorker({ env: config.env });
  try {
    // The SDK shuts the worker down gracefully on SIGINT and SIGTERM.
    await running.run();
  } finally {
    await running.close();
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
