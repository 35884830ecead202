/** Structured logs (pino) for the worker process, the Temporal SDK's included. */
import pino from 'pino';
import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export function createLogger(
  level: Level = (process.env.ORCHESTRA_LOG_LEVEL as Level | undefined) ?? 'info',
) {
  return pino({ level, base: { service: 'orchestra' } });
}

let installed = false;

/** Route the SDK's logs through pino. Once per process, before any worker or native connection. */
export function installRuntimeLogging(level?: Level): void {
  if (installed) return;
  installed = true;
  const log = createLogger(level);
  const at = (l: LogLevel) => (message: string, meta?: LogMetadata) =>
    log[l.toLowerCase() as Level](meta ?? {}, message);
  Runtime.install({
    logger: {
      log: (l, message, meta) => at(l)(message, meta),
      trace: at('TRACE'),
      debug: at('DEBUG'),
      info: at('INFO'),
      warn: at('WARN'),
      error: at('ERROR'),
    },
  });
}
