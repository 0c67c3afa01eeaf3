// OpenTelemetry tracing, off unless an OTLP endpoint is configured. One trace follows an event
// from its HTTP request through the workflow start to each activity: Temporal's interceptors
// carry the context in workflow and activity headers (W3C trace context). The exporter and the
// resource read the standard OTEL_* variables themselves (endpoint, headers, service name,
// resource attributes): https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
import { context, propagation, trace, type Tracer } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'

export interface Tracing {
  tracer: Tracer
  resource: Resource
  spanProcessor: SpanProcessor
  shutdown(): Promise<void>
}

const TRACER_NAME = 'scompler-webhooks'

/**
 * `serviceName` is the default; OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES override it. Spans
 * go to the OTLP/HTTP endpoint of the OTEL_EXPORTER_OTLP_* variables, or to `exporter` (tests).
 */
export function startTracing(options: { serviceName: string; exporter?: SpanExporter }): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName }).merge(
    detectResourcesSync({ detectors: [envDetectorSync] }),
  )
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter())
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] })
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() })
  return {
    tracer: provider.getTracer(TRACER_NAME),
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown()
      trace.disable()
      context.disable()
      propagation.disable()
    },
  }
}
