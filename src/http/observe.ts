// One log line and the metrics of every delivery, decided from its answer. The line holds facts
// about the delivery, never the body, the signature or a secret (only which one matched).
import type { Middleware } from 'koa'
import { activeTraceId } from '../shared/trace-id'
import { isErrorCode } from './errors'
import {
  eventLabel,
  methodLabel,
  type ApiMetrics,
  type DeliveryMetrics,
  type DeliveryOutcome,
  type DeliveryReason,
} from './metrics'
import type { Delivery, RouteContext } from './state'

/** The logger the webhook writes to: pino's fits, and so does any logger of the same shape. */
export interface WebhookLogger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

/** The standalone API's request metrics (the webhook counts its deliveries itself). */
export function observeRequest(metrics: ApiMetrics): Middleware<unknown, RouteContext> {
  return async function observeRequest(ctx, next) {
    const started = process.hrtime.bigint()
    metrics.requestsInFlight.inc()
    try {
      await next()
    } finally {
      metrics.requestsInFlight.dec()
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const route = ctx._matchedRoute === undefined ? 'unmatched' : String(ctx._matchedRoute)
      metrics.requestDuration.observe(
        { method: methodLabel(ctx.method), route, status: String(ctx.status) },
        seconds,
      )
    }
  }
}

/** The JSON answer's fields that tell what became of a delivery. */
interface Answer {
  status?: string
  runId?: string
  error?: string
  message?: string
}

export interface Answered {
  status: number
  body: unknown
  seconds: number
}

export function recordDelivery(
  logger: WebhookLogger,
  metrics: DeliveryMetrics,
  delivery: Delivery,
  { status, body, seconds }: Answered,
): void {
  const answer = (body ?? {}) as Answer
  const { outcome, reason } = classify(status, answer)
  const event = delivery.event
  metrics.deliveries.inc({
    event: eventLabel(event?.event),
    outcome,
    reason,
    secret: delivery.secret ?? 'none',
  })
  const line = {
    eventId: event?.id,
    event: event?.event,
    accountId: event?.accountId,
    outcome,
    reason: reason === 'none' ? undefined : reason,
    detail: answer.error ? answer.message : undefined,
    status,
    latencyMs: Math.round(seconds * 1e4) / 10,
    secretMatch: delivery.secret,
    workflowId: outcome === 'accepted' || outcome === 'duplicate' ? event?.id : undefined,
    runId: answer.runId,
    traceId: activeTraceId(),
    err: delivery.error,
  }
  if (outcome === 'accepted' || outcome === 'duplicate') logger.info(line, 'webhook delivery')
  else if (outcome === 'rejected') logger.warn(line, 'webhook delivery rejected')
  else logger.error(line, 'webhook delivery failed')
}

function classify(
  status: number,
  answer: Answer,
): { outcome: DeliveryOutcome; reason: DeliveryReason } {
  if (answer.status === 'accepted' || answer.status === 'duplicate') {
    return { outcome: answer.status, reason: 'none' }
  }
  const reason = isErrorCode(answer.error) ? answer.error : 'internal_error'
  if (reason === 'temporal_unavailable') return { outcome: 'unavailable', reason }
  // Refused to protect the API, before anything is known of the sender: not our failure.
  if (reason === 'overloaded') return { outcome: 'rejected', reason }
  return { outcome: status >= 500 ? 'error' : 'rejected', reason }
}
