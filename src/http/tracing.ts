import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api'
import type { Middleware } from 'koa'
import { WEBHOOK_PATH } from '../domain'

/**
 * The server span of an HTTP request: the parent of the workflow start it leads to. The webhook
 * middleware adds the event id to it (scompler.event_id).
 */
export function traceRequest(tracer: Tracer): Middleware {
  return async function traceRequest(ctx, next) {
    // Named by route, never by the raw path: span names must stay a small, fixed set.
    const name = ctx.path === WEBHOOK_PATH ? `${ctx.method} ${WEBHOOK_PATH}` : ctx.method
    await tracer.startActiveSpan(name, { kind: SpanKind.SERVER }, async (span) => {
      try {
        await next()
      } finally {
        span.setAttribute('http.request.method', ctx.method)
        span.setAttribute('url.path', ctx.path)
        span.setAttribute('http.response.status_code', ctx.status)
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
        span.end()
      }
    })
  }
}
