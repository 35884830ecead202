/**
 * The OpenTelemetry SDK behind src/tracing.ts, in a module of its own so that a process
 * without tracing never loads it (some 250 modules: a CLI call would pay for them each time).
 */
import { Resource } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

export interface Tracing {
  plugin: OpenTelemetryPlugin;
  provider: NodeTracerProvider;
}

/** Register this process's tracer provider, sending spans to the OTLP/HTTP traces `url`. */
export function startTracing(url: string, serviceName: string): Tracing {
  const resource = new Resource({ 'service.name': serviceName });
  // Spans leave in batches, at most half a second after they end.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 });
  // Registered globally: the client and activity interceptors, and the model call's own span, use it.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { plugin: new OpenTelemetryPlugin({ resource, spanProcessor }), provider };
}
