// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. One trace follows an event
// from its HTTP request through the workflow start to each activity: Temporal's interceptors
// carry the context in workflow and activity headers (W3C trace context).
import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { Resource } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import type { Context, Middleware, Next } from 'koa'
import { WEBHOOK_PATH } from '../domain'

export interface Tracing {
  tracer: Tracer
  resource: Resource
  spanProcessor: SpanProcessor
  shutdown(): Promise<void>
}

export const TRACER_NAME = 'scompler-webhooks'

/** Exports to `${endpoint}/v1/traces` (OTLP over HTTP), or to `exporter` (tests). */
export function startTracing(options: {
  serviceName: string
  endpoint?: string
  exporter?: SpanExporter
}): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName })
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }),
      )
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

/** The server span of an HTTP request: the parent of the workflow start it leads to. */
export function traceRequest(tracer: Tracer): Middleware {
  return async function traceRequest(ctx: Context, next: Next) {
    // Named by route, never by the raw path: span names must stay a small, fixed set.
    const name = ctx.path === WEBHOOK_PATH ? `${ctx.method} ${WEBHOOK_PATH}` : ctx.method
    await tracer.startActiveSpan(name, { kind: SpanKind.SERVER }, async (span) => {
      try {
        await next()
      } finally {
        span.setAttribute('http.request.method', ctx.method)
        span.setAttribute('url.path', ctx.path)
        span.setAttribute('http.response.status_code', ctx.status)
        const eventId = (ctx.state as { event?: { id?: string } }).event?.id
        if (eventId) span.setAttribute('scompler.event_id', eventId)
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
        span.end()
      }
    })
  }
}

/** The current trace id, for log lines; undefined while tracing is off. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext()
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined
}

/** The API's tracing: on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
export function startApiTracing(config: { otlpEndpoint: string | undefined }): Tracing | undefined {
  return config.otlpEndpoint
    ? startTracing({ serviceName: 'scompler-webhooks-api', endpoint: config.otlpEndpoint })
    : undefined
}
