/** Structured logs (pino) for the worker process, the Temporal SDK's (native core included). */
import pino from 'pino';
import { z } from 'zod';
import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** json: one object a line (log collectors); pretty: a line a person reads. auto: pretty on a terminal. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export const LOG_FORMAT_ENV = 'ORCHESTRA_LOG_FORMAT';

export function logFormat(env: NodeJS.ProcessEnv = process.env, tty = process.stderr.isTTY === true) {
  const value = env[LOG_FORMAT_ENV] || 'auto';
  const parsed = z.enum(LOG_FORMATS).safeParse(value);
  if (!parsed.success) throw new Error(`${LOG_FORMAT_ENV} must be auto, json or pretty, not "${value}"`);
  return parsed.data === 'auto' ? (tty ? 'pretty' : 'json') : parsed.data;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** pino's JSON line as a person reads it: time, level, message, then the other fields as key=value. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const { time, level, msg, service: _service, pid: _pid, hostname: _hostname, ...rest } = entry;
  const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
  const fields = Object.entries(rest).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return [at, (LEVEL_NAMES[level as number] ?? String(level)).padEnd(5), msg, ...fields]
    .filter(Boolean)
    .join(' ');
}

/** Logs go to stderr, so that a command's own output on stdout stays clean. */
export function createLogger(
  level: Level = (process.env.ORCHESTRA_LOG_LEVEL as Level | undefined) ?? 'info',
  options: { format?: 'json' | 'pretty'; write?: (line: string) => void } = {},
) {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const format = options.format ?? logFormat();
  const destination = {
    write: format === 'pretty' ? (line: string) => write(`${prettyLine(line)}\n`) : write,
  };
  return pino({ level, base: { service: 'orchestra' } }, destination);
}

/**
 * What the SDK warns about by design here: Orchestra runs workers with only workflows or only
 * activities on some queues (models, cost ledgers), and says so at debug level instead.
 */
const EXPECTED_WARNINGS = new Set([
  'No workflows registered, not polling for workflow tasks',
  'No activities registered, not polling for activity tasks',
]);

let installed = false;

/**
 * Route the SDK's logs through pino, and serve its metrics (and Orchestra's) for Prometheus at
 * `metricsAddress` when given. Once per process, before any worker or native connection.
 */
export function installRuntimeLogging(level?: Level, metricsAddress?: string): void {
  if (installed) return;
  installed = true;
  const log = createLogger(level);
  const at = (given: LogLevel) => (message: string, meta?: LogMetadata) => {
    const l: LogLevel = given === 'WARN' && EXPECTED_WARNINGS.has(message) ? 'DEBUG' : given;
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
