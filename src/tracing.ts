/**
 * OpenTelemetry traces, opt-in: with ORCHESTRA_OTEL_ENDPOINT set (an OTLP/HTTP traces URL,
 * e.g. http://collector:4318/v1/traces), clients and workers send spans there, and one trace
 * follows an agent from the client that starts it, through its workflow and activities, to
 * each model call. Off, nothing is registered and nothing costs anything: the SDK is not even
 * loaded (src/tracing-sdk.ts), and the workflow interceptors are bundled only when tracing is on.
 */
import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from './tracing-sdk';

/**
 * OpenTelemetry's workflow interceptors, which its plugin adds to a traced worker's workflows
 * when they are bundled at start; a prebuilt bundle must hold them (workers/bundles.ts).
 */
export const tracingWorkflowModules = (): string[] => [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

let plugin: OpenTelemetryPlugin | undefined | null = null;
let registered: Tracing['provider'] | undefined;

/**
 * The tracing plugin for a client or a worker of this process (the same one: a process has
 * one tracer provider), or undefined when tracing is off.
 */
export function tracingPlugin(env: NodeJS.ProcessEnv = process.env): OpenTelemetryPlugin | undefined {
  if (plugin !== null) return plugin;
  const url = env.ORCHESTRA_OTEL_ENDPOINT;
  if (!url) return (plugin = undefined);
  // Synchronous (a client's options are built synchronously), and only now: see tracing-sdk.ts.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracing } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  const tracing = startTracing(url, env.OTEL_SERVICE_NAME ?? 'orchestra');
  registered = tracing.provider;
  return (plugin = tracing.plugin);
}

/** Send the spans still waiting in the batch: a short-lived process (the CLI) before it exits. */
export async function flushTraces(): Promise<void> {
  await registered?.forceFlush();
}
