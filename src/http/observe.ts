// One log line and the metrics of every delivery, decided from its answer. The line holds facts
// about the delivery, never the body, the signature or a secret (only which one matched).
import type { Middleware, ParameterizedContext } from 'koa'
import { WEBHOOK_PATH } from '../domain'
import type { Logger } from '../shared/logger'
import { activeTraceId } from '../shared/tracing'
import { isErrorCode } from './errors'
import {
  eventLabel,
  methodLabel,
  type ApiMetrics,
  type DeliveryOutcome,
  type DeliveryReason,
} from './metrics'
import type { DeliveryState, RouteContext } from './state'

type Context = ParameterizedContext<DeliveryState, RouteContext>

/** The JSON answer's fields that tell what became of a delivery. */
interface Answer {
  status?: string
  runId?: string
  error?: string
  message?: string
}

export function observeRequest(
  logger: Logger,
  metrics: ApiMetrics,
): Middleware<DeliveryState, RouteContext> {
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
      if (route === WEBHOOK_PATH && ctx.method === 'POST') logDelivery(ctx, seconds)
    }
  }

  function logDelivery(ctx: Context, seconds: number): void {
    const { state } = ctx
    const answer = (ctx.body ?? {}) as Answer
    const { outcome, reason } = classify(ctx.status, answer)
    const event = state.event
    metrics.deliveries.inc({
      event: eventLabel(event?.event),
      outcome,
      reason,
      secret: state.secret ?? 'none',
    })
    const line = {
      eventId: event?.id,
      event: event?.event,
      accountId: event?.accountId,
      outcome,
      reason: reason === 'none' ? undefined : reason,
      detail: answer.error ? answer.message : undefined,
      status: ctx.status,
      latencyMs: Math.round(seconds * 1e4) / 10,
      secretMatch: state.secret,
      workflowId: outcome === 'accepted' || outcome === 'duplicate' ? event?.id : undefined,
      runId: answer.runId,
      traceId: activeTraceId(),
      err: state.error,
    }
    if (outcome === 'accepted' || outcome === 'duplicate') logger.info(line, 'webhook delivery')
    else if (outcome === 'rejected') logger.warn(line, 'webhook delivery rejected')
    else logger.error(line, 'webhook delivery failed')
  }
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
