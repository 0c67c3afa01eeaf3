// The trace id of the work in progress, for log lines. Only @opentelemetry/api: a no-op until a
// tracer provider is registered (src/shared/tracing.ts in the standalone processes, or the app's
// own SDK when the package's webhook is mounted in it).
import { isSpanContextValid, trace } from '@opentelemetry/api'

/** The current trace id; undefined while tracing is off. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext()
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined
}
