// The standalone API's Koa app: the webhook's delivery middleware (the same the package exports)
// at WEBHOOK_PATH, and the ops routes. Built here, listened on only by entry points, so tests drive
// it through `app.callback()`.
import Koa, { type Middleware } from 'koa'
import Router from '@koa/router'
import type { Tracer } from '@opentelemetry/api'
import { WEBHOOK_PATH } from '../domain'
import type { Logger } from '../shared/logger'
import { defaultUnverifiedLimits, type UnverifiedLimits } from '../shared/webhook-limits'
import type { StartEvent } from '../temporal/start-event'
import { createDeliveryMiddleware } from './delivery'
import { asErrorAnswer, HttpError, sendError } from './errors'
import type { ApiMetrics } from './metrics'
import { observeRequest } from './observe'
import type { WebhookSecrets } from './signature'
import type { RouteContext } from './state'
import { traceRequest } from './tracing'

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

type AppRouter = Router<unknown, RouteContext>

export function createApp(deps: AppDeps): Koa<unknown, RouteContext> {
  const router: AppRouter = new Router()
  // Every method: the middleware answers anything but POST with 405 and Allow: POST.
  router.all(
    WEBHOOK_PATH,
    createDeliveryMiddleware({
      secrets: deps.secrets,
      maxBodyBytes: deps.maxBodyBytes,
      unverified: deps.unverified ?? defaultUnverifiedLimits(deps.maxBodyBytes),
      maxAgeMs: deps.maxAgeMs,
      startEvent: deps.startEvent,
      logger: deps.logger,
      metrics: deps.metrics,
      now: deps.now ?? Date.now,
    }),
  )
  addOpsRoutes(router, deps, { readyzAndMetrics: deps.serveOps ?? true })
  return withRouter(deps, router)
}

export type OpsDeps = Pick<AppDeps, 'readiness' | 'logger' | 'metrics' | 'tracer'>

/**
 * The second listener's app (OPS_PORT): /healthz, /readyz and /metrics, served by the same code
 * as on the webhook listener when there is no second one.
 */
export function createOpsApp(deps: OpsDeps): Koa<unknown, RouteContext> {
  const router: AppRouter = new Router()
  addOpsRoutes(router, deps, { readyzAndMetrics: true })
  return withRouter(deps, router)
}

function addOpsRoutes(
  router: AppRouter,
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

function withRouter(deps: OpsDeps, router: AppRouter): Koa<unknown, RouteContext> {
  const app = new Koa<unknown, RouteContext>()
  app.proxy = true
  app.silent = true
  if (deps.tracer) app.use(traceRequest(deps.tracer))
  app.use(observeRequest(deps.metrics))
  app.use(handleErrors(deps.logger))
  app.use(router.routes())
  app.use(() => {
    throw new HttpError('not_found')
  })
  return app
}

/** 4xx messages are the sender's to read; anything unexpected becomes a bare 500. */
function handleErrors(logger: Logger): Middleware<unknown, RouteContext> {
  return async function handleErrors(ctx, next) {
    try {
      await next()
    } catch (error) {
      const answer = asErrorAnswer(error)
      sendError(ctx, answer)
      if (ctx.status >= 500 && answer.code === 'internal_error') {
        logger.error({ err: error, path: ctx.path }, 'request failed')
      }
    }
  }
}
