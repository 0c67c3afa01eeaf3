// The Koa app: read the raw body, verify it, parse it, start its workflow. Built here, listened
// on only by entry points, so tests drive it through `app.callback()`.
import Koa, { type Middleware } from 'koa'
import Router from '@koa/router'
import type { Tracer } from '@opentelemetry/api'
import getRawBody from 'raw-body'
import { defaultUnverifiedLimits, type UnverifiedLimits } from '../config'
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
import { createUnverifiedBudget, type UnverifiedBudget } from './unverified'

export interface AppDeps {
  secrets: WebhookSecrets
  maxBodyBytes: number
  /** What bodies not yet verified may hold together; derived from maxBodyBytes by default. */
  unverified?: UnverifiedLimits
  maxAgeMs: number
  startEvent: StartEvent
  /** Resolves to undefined when ready, or to the reason it is not. */
  readiness: () => Promise<string | undefined>
  logger: Logger
  metrics: ApiMetrics
  /** Set while tracing is on (the request's server span); undefined, no span work at all. */
  tracer: Tracer | undefined
  /**
   * False when a second listener serves /readyz and /metrics (OPS_PORT): this app then answers
   * them 404. True by default.
   */
  serveOps?: boolean
  now?: () => number
}

type AppMiddleware = Middleware<DeliveryState, RouteContext>

export function createApp(deps: AppDeps): Koa<DeliveryState, RouteContext> {
  const budget = createUnverifiedBudget(
    deps.unverified ?? defaultUnverifiedLimits(deps.maxBodyBytes),
    deps.maxBodyBytes,
  )
  const router = new Router<DeliveryState, RouteContext>()
  router.post(
    WEBHOOK_PATH,
    readRawBody(deps.maxBodyBytes, budget, deps.metrics),
    verify(deps.secrets),
    parseEvent(deps.maxAgeMs, deps.now ?? Date.now),
    startWorkflow(deps.startEvent, deps.metrics),
  )
  router.all(WEBHOOK_PATH, () => {
    throw new HttpError('method_not_allowed')
  })
  addOpsRoutes(router, deps, { readyzAndMetrics: deps.serveOps ?? true })
  return withRouter(deps, router)
}

export type OpsDeps = Pick<AppDeps, 'readiness' | 'logger' | 'metrics' | 'tracer'>

/**
 * The second listener's app (OPS_PORT): /healthz, /readyz and /metrics, served by the same code
 * as on the webhook listener when there is no second one.
 */
export function createOpsApp(deps: OpsDeps): Koa<DeliveryState, RouteContext> {
  const router = new Router<DeliveryState, RouteContext>()
  addOpsRoutes(router, deps, { readyzAndMetrics: true })
  return withRouter(deps, router)
}

function addOpsRoutes(
  router: Router<DeliveryState, RouteContext>,
  deps: OpsDeps,
  { readyzAndMetrics }: { readyzAndMetrics: boolean },
): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' }
  })
  if (!readyzAndMetrics) return
  router.get('/readyz', async (ctx) => {
    const reason = await deps.readiness()
    if (reason) throw new HttpError('not_ready', reason)
    ctx.body = { status: 'ready' }
  })
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType
    ctx.body = await deps.metrics.registry.metrics()
  })
}

function withRouter(
  deps: OpsDeps,
  router: Router<DeliveryState, RouteContext>,
): Koa<DeliveryState, RouteContext> {
  const app = new Koa<DeliveryState, RouteContext>()
  app.proxy = true
  app.silent = true
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
      // An expected refusal under a flood needs no stack in the log line.
      if (status >= 500 && code !== 'overloaded') ctx.state.error = error
      // The rest of the body is not read: close rather than drain it.
      if (code === 'payload_too_large' || code === 'overloaded') ctx.set('Connection', 'close')
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

/**
 * A declared length over the limit is refused before reading; a body that grows past it too. The
 * body reserves its declared length (else the limit) in the unverified budget while it is read:
 * over the budget, 503 at once; given back when the read ends, however it ends.
 */
function readRawBody(limit: number, budget: UnverifiedBudget, metrics: ApiMetrics): AppMiddleware {
  const report = () => {
    metrics.unverifiedBytes.set(budget.bytes)
    metrics.unverifiedRequests.set(budget.requests)
  }
  return async function readRawBody(ctx, next) {
    const length = ctx.get('content-length')
    const declared = length ? Number(length) : undefined
    // Over the limit: raw-body refuses it before reading anything, so there is nothing to hold.
    const reserved = declared !== undefined && declared > limit ? noop : budget.reserve(declared)
    if (!reserved) throw new HttpError('overloaded')
    const release = () => {
      reserved()
      report()
    }
    report()
    // raw-body settles on end, error and abort; a close it does not see must release too.
    ctx.req.once('close', release)
    try {
      ctx.state.body = await getRawBody(ctx.req, { limit, length: declared })
    } finally {
      ctx.req.off('close', release)
      release()
    }
    await next()
  }
}

function noop(): void {}

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
