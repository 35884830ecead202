/**
 * OpenTelemetry traces, opt-in: with ORCHESTRA_OTEL_ENDPOINT set (an OTLP/HTTP traces URL,
 * e.g. http://collector:4318/v1/traces), clients and workers send spans there, and one trace
 * follows an agent from the client that starts it, through its workflow and activities, to
 * each model call. Off, nothing is registered and nothing costs anything: the workflow
 * interceptors are bundled only when tracing is on.
 */
import { Resource } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

let plugin: OpenTelemetryPlugin | undefined | null = null;
let registered: NodeTracerProvider | undefined;

/**
 * The tracing plugin for a client or a worker of this process (the same one: a process has
 * one tracer provider), or undefined when tracing is off.
 */
export function tracingPlugin(env: NodeJS.ProcessEnv = process.env): OpenTelemetryPlugin | undefined {
  if (plugin !== null) return plugin;
  const url = env.ORCHESTRA_OTEL_ENDPOINT;
  if (!url) return (plugin = undefined);
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? 'orchestra' });
  // Spans leave in batches, at most half a second after they end.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 });
  // Registered globally: the client and activity interceptors, and the model call's own span, use it.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registered = provider;
  return (plugin = new OpenTelemetryPlugin({ resource, spanProcessor }));
}

/** Send the spans still waiting in the batch: a short-lived process (the CLI) before it exits. */
export async function flushTraces(): Promise<void> {
  await registered?.forceFlush();
}
