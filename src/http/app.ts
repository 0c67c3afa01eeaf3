// The Koa app: read the raw body, verify it, parse it, start its workflow. Built here, listened
// on only by entry points, so tests drive it through `app.callback()`.
import Koa, { type Context, type Middleware, type Next } from 'koa'
import Router from '@koa/router'
import type { Tracer } from '@opentelemetry/api'
import getRawBody from 'raw-body'
import { SIGNATURE_HEADER, WEBHOOK_PATH } from '../domain'
import { assertFresh, InvalidEventError, parseEnvelope, parseJson } from '../events'
import type { Logger } from '../shared/logger'
import type { ApiMetrics } from './metrics'
import { observeRequest, type DeliveryState } from './observe'
import { verifySignature, WebhookVerificationError, type WebhookSecrets } from './signature'
import { TemporalUnavailableError, type StartEvent } from '../temporal/start-event'
import { traceRequest } from '../shared/tracing'

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

/** An answer with a fixed error code; its message is safe to show the sender. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export const RETRY_AFTER_SECONDS = 10

export function createApp(deps: AppDeps): Koa {
  const app = new Koa<DeliveryState>()
  app.proxy = true
  app.silent = true

  const router = new Router<DeliveryState>()
  router.post(
    WEBHOOK_PATH,
    readRawBody(deps.maxBodyBytes),
    verify(deps.secrets),
    parseEvent(deps.maxAgeMs, deps.now ?? Date.now),
    startWorkflow(deps.startEvent, deps.metrics),
  )
  router.all(WEBHOOK_PATH, () => {
    throw new HttpError(405, 'method_not_allowed', 'Use POST for webhooks', { Allow: 'POST' })
  })
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  router.get('/readyz', async (ctx) => {
    const reason = await deps.readiness()
    if (reason) throw new HttpError(503, 'not_ready', reason)
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
    throw new HttpError(404, 'not_found', 'No such endpoint')
  })
  return app
}

/** 4xx messages are the sender's to read; anything unexpected becomes a bare 500. */
function handleErrors(): Middleware<DeliveryState> {
  return async function handleErrors(ctx: Context, next: Next) {
    try {
      await next()
    } catch (error) {
      const known = asHttpError(error)
      ctx.status = known.status
      ctx.set(known.headers)
      ctx.body = { error: known.code, message: known.message }
      if (known.status >= 500) ctx.state.error = error
      if (known.status === 413) ctx.set('Connection', 'close')
    }
  }
}

/** What handleErrors sends. Built as plain data: an Error would capture a stack nobody reads. */
type Answer = Pick<HttpError, 'status' | 'code' | 'message' | 'headers'>

function answer(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Answer {
  return { status, code, message, headers }
}

function asHttpError(error: unknown): Answer {
  if (error instanceof HttpError) return error
  if (error instanceof WebhookVerificationError) {
    return answer(401, 'invalid_signature', error.message)
  }
  if (error instanceof InvalidEventError) return answer(400, error.code, error.message)
  if (error instanceof TemporalUnavailableError) {
    return answer(503, 'temporal_unavailable', 'Temporal is unavailable; retry later', {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    })
  }
  const bodyError = error as { type?: string; status?: number }
  if (bodyError.type === 'entity.too.large') {
    return answer(413, 'payload_too_large', 'Body exceeds WEBHOOK_MAX_BODY_BYTES')
  }
  if (typeof bodyError.type === 'string' && bodyError.status === 400) {
    return answer(400, 'invalid_body', 'The request body could not be read')
  }
  return answer(500, 'internal_error', 'Internal error')
}

/** A declared length over the limit is refused before reading; a body that grows past it too. */
function readRawBody(limit: number): Middleware<DeliveryState> {
  return async function readRawBody(ctx: Context, next: Next) {
    const length = ctx.get('content-length')
    ctx.state.body = await getRawBody(ctx.req, { limit, length: length || undefined })
    await next()
  }
}

/** The signature covers the exact bytes received: nothing is parsed before it is checked. */
function verify(secrets: WebhookSecrets): Middleware<DeliveryState> {
  return async function verify(ctx: Context, next: Next) {
    const state = ctx.state as DeliveryState
    state.secret = verifySignature(secrets, state.body!, ctx.req.headers[SIGNATURE_HEADER])
    await next()
  }
}

function parseEvent(maxAgeMs: number, now: () => number): Middleware<DeliveryState> {
  return async function parseEvent(ctx: Context, next: Next) {
    const state = ctx.state as DeliveryState
    state.event = parseEnvelope(parseJson(state.body!))
    assertFresh(state.event, now(), maxAgeMs)
    await next()
  }
}

function startWorkflow(startEvent: StartEvent, metrics: ApiMetrics): Middleware<DeliveryState> {
  return async function startWorkflow(ctx: Context) {
    const state = ctx.state as DeliveryState
    const event = state.event!
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
