/**
 * Orchestra's workers as a library: `createWorker()` connects with the settings `orchestra
 * worker` reads and returns the workers (agents, model queue, cost ledgers) ready to run.
 * Your own workflows and activities run beside them: create a Temporal `Worker` of your own on
 * `connection`, on your own task queue.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, type OrchestraConfig } from '../src/config';
import { activityDeps, loadOrchestraFile } from '../src/config-file';
import { installRuntimeLogging } from '../src/logging';
import { temporalAuth } from '../src/temporal/tls';
import { createOrchestraWorker, type OrchestraWorker, type OrchestraWorkerOptions } from './worker';

export interface CreateWorkerOptions {
  /** The environment to read settings from (TEMPORAL_ADDRESS, ORCHESTRA_TASK_QUEUE, ...). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** A connection of your own (it stays yours to close); else one is opened from the settings. */
  connection?: NativeConnection;
  /** Anything else of the SDK's worker options, e.g. `maxConcurrentActivityTaskExecutions`. */
  overrides?: OrchestraWorkerOptions['overrides'];
}

export interface RunnableWorker {
  config: OrchestraConfig;
  connection: NativeConnection;
  worker: OrchestraWorker;
  /** Run until shutdown (SIGINT and SIGTERM shut it down gracefully). */
  run(): Promise<void>;
  shutdown(): void;
  /** Close the connection, when createWorker opened it. */
  close(): Promise<void>;
}

export async function createWorker(options: CreateWorkerOptions = {}): Promise<RunnableWorker> {
  const config = loadConfig(options.env);
  // Once per process, before any native connection: logs (and metrics) through Orchestra's.
  installRuntimeLogging(undefined, config.metricsAddress);
  const connection =
    options.connection ??
    (await NativeConnection.connect({ address: config.temporalAddress, ...temporalAuth(options.env) }));
  try {
    const worker = await createOrchestraWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      deps: activityDeps(config, loadOrchestraFile(config).file),
      modelConcurrency: config.modelConcurrency,
      modelCallsPerMinute: config.modelCallsPerMinute,
      modelRate: { cooldownMs: config.modelRateCooldownSeconds * 1000 },
      ...(options.overrides ? { overrides: options.overrides } : {}),
    });
    return {
      config,
      connection,
      worker,
      run: () => worker.run(),
      shutdown: () => worker.shutdown(),
      close: async () => {
        if (!options.connection) await connection.close();
      },
    };
  } catch (err) {
    if (!options.connection) await connection.close();
    throw err;
  }
}
