// The Koa app: read the raw body, verify it, parse it, start its workflow. Built here, listened
// on only by entry points, so tests drive it through `app.callback()`.
import Koa, { type Middleware } from 'koa'
import Router from '@koa/router'
import type { Tracer } from '@opentelemetry/api'
import getRawBody from 'raw-body'
import { SIGNATURE_HEADER, WEBHOOK_PATH } from '../domain'
import { assertFresh, InvalidEventError, parseEnvelope, parseJson } from '../events'
import type { Logger } from '../shared/logger'
import { TemporalUnavailableError, type StartEvent } from '../temporal/start-event'
import { errorAnswer, HTTP_ERRORS, HttpError, type ErrorAnswer } from './errors'
import type { ApiMetrics } from './metrics'
import { observeRequest } from './observe'
import { verifySignature, WebhookVerificationError, type WebhookSecrets } from './signature'
import { fromState, type DeliveryState, type RouteContext } from './state'
import { traceRequest } from './tracing'

export interface AppDeps {
  secrets: WebhookSecrets
  maxBodyBytes: number
  maxAgeMs: number
  startEvent: StartEvent
  /** Resolves to undefined when ready, or to the reason it is not. */
  readiness: () => Promise<string | undefined>
  logger: Logger
  metrics: ApiMetrics
  /** Set while tracing is on (the request's server span); undefined, no span work at all. */
  tracer: Tracer | undefined
  now?: () => number
}

type AppMiddleware = Middleware<DeliveryState, RouteContext>

export function createApp(deps: AppDeps): Koa<DeliveryState, RouteContext> {
  const app = new Koa<DeliveryState, RouteContext>()
  app.proxy = true
  app.silent = true

  const router = new Router<DeliveryState, RouteContext>()
  router.post(
    WEBHOOK_PATH,
    readRawBody(deps.maxBodyBytes),
    verify(deps.secrets),
    parseEvent(deps.maxAgeMs, deps.now ?? Date.now),
    startWorkflow(deps.startEvent, deps.metrics),
  )
  router.all(WEBHOOK_PATH, () => {
    throw new HttpError('method_not_allowed')
  })
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  router.get('/readyz', async (ctx) => {
    const reason = await deps.readiness()
    if (reason) throw new HttpError('not_ready', reason)
    ctx.body = { status: 'ready' }
  })
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType
    ctx.body = await deps.metrics.registry.metrics()
  })

  if (deps.tracer) app.use(traceRequest(deps.tracer))
  app.use(observeRequest(deps.logger, deps.metrics))
  app.use(handleErrors())
  app.use(router.routes())
  app.use(() => {
    throw new HttpError('not_found')
  })
  return app
}

/** 4xx messages are the sender's to read; anything unexpected becomes a bare 500. */
function handleErrors(): AppMiddleware {
  return async function handleErrors(ctx, next) {
    try {
      await next()
    } catch (error) {
      const { code, message } = asErrorAnswer(error)
      const { status, headers } = HTTP_ERRORS[code]
      ctx.status = status
      if (headers) ctx.set(headers)
      ctx.body = { error: code, message }
      if (status >= 500) ctx.state.error = error
      if (code === 'payload_too_large') ctx.set('Connection', 'close')
    }
  }
}

function asErrorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof HttpError) return error
  if (error instanceof WebhookVerificationError) {
    return errorAnswer('invalid_signature', error.message)
  }
  if (error instanceof InvalidEventError) return errorAnswer(error.code, error.message)
  if (error instanceof TemporalUnavailableError) return errorAnswer('temporal_unavailable')
  // raw-body's errors carry a `type` (https://github.com/stream-utils/raw-body#errors).
  const bodyError = error as { type?: unknown; status?: unknown }
  if (bodyError.type === 'entity.too.large') return errorAnswer('payload_too_large')
  if (typeof bodyError.type === 'string' && bodyError.status === 400) {
    return errorAnswer('invalid_body')
  }
  return errorAnswer('internal_error')
}

/** A declared length over the limit is refused before reading; a body that grows past it too. */
function readRawBody(limit: number): AppMiddleware {
  return async function readRawBody(ctx, next) {
    const length = ctx.get('content-length')
    ctx.state.body = await getRawBody(ctx.req, { limit, length: length || undefined })
    await next()
  }
}

/** The signature covers the exact bytes received: nothing is parsed before it is checked. */
function verify(secrets: WebhookSecrets): AppMiddleware {
  return async function verify(ctx, next) {
    const body = fromState(ctx.state, 'body')
    ctx.state.secret = verifySignature(secrets, body, ctx.req.headers[SIGNATURE_HEADER])
    await next()
  }
}

function parseEvent(maxAgeMs: number, now: () => number): AppMiddleware {
  return async function parseEvent(ctx, next) {
    const event = parseEnvelope(parseJson(fromState(ctx.state, 'body')))
    ctx.state.event = event
    assertFresh(event, now(), maxAgeMs)
    await next()
  }
}

function startWorkflow(startEvent: StartEvent, metrics: ApiMetrics): AppMiddleware {
  return async function startWorkflow(ctx) {
    const event = fromState(ctx.state, 'event')
    const stop = metrics.startDuration.startTimer()
    try {
      const outcome = await startEvent(event)
      stop({ result: outcome.status })
      ctx.body = { ...outcome, eventId: event.id }
    } catch (error) {
      stop({ result: 'unavailable' })
      throw error
    }
  }
}
