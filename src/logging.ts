/** Structured logs (pino) for the worker process, the Temporal SDK's (native core included). */
import pino from 'pino';
import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export function createLogger(
  level: Level = (process.env.ORCHESTRA_LOG_LEVEL as Level | undefined) ?? 'info',
) {
  return pino({ level, base: { service: 'orchestra' } });
}

let installed = false;

/**
 * Route the SDK's logs through pino, and serve its metrics (and Orchestra's) for Prometheus at
 * `metricsAddress` when given. Once per process, before any worker or native connection.
 */
export function installRuntimeLogging(level?: Level, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const log = createLogger(level);
  const at = (l: LogLevel) => (message: string, meta?: LogMetadata) => {
    // The SDK traces every task it gets (the whole activation as meta): drop it before copying it.
    if (!log.isLevelEnabled(l.toLowerCase())) return;
    // pino serializes errors under `err`; the SDK puts them under `error`.
    const { error, ...rest } = (meta ?? {}) as LogMetadata & { error?: unknown };
    log[l.toLowerCase() as Level](error === undefined ? rest : { ...rest, err: error }, message);
  };
  const coreLevel = log.level.toUpperCase() as LogLevel;
  Runtime.install({
    logger: {
      log: (l, message, meta) => at(l)(message, meta),
      trace: at('TRACE'),
      debug: at('DEBUG'),
      info: at('INFO'),
      warn: at('WARN'),
      error: at('ERROR'),
    },
    telemetryOptions: {
      logging: { filter: { core: coreLevel, other: coreLevel }, forward: {} },
      // Counters end in `_total`, durations are in seconds: Prometheus's own conventions.
      ...(metricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: metricsAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
  });
}
