// The package's mountable webhook endpoint: Koa middleware, and a plain Node (req, res) handler
// for node:http, Express and Fastify. Both run the standalone API's own delivery middleware
// (src/http/delivery.ts); this file only turns the user's options into its dependencies.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Client } from '@temporalio/client'
import Koa, { type Middleware } from 'koa'
import { Registry } from 'prom-client'
import { z } from 'zod'
import { DEFAULT_TASK_QUEUE } from '../domain'
import { describeIssues } from '../events'
import { durationMillis } from '../shared/duration'
import { createLogger } from '../shared/logger'
import {
  DEFAULT_MAX_AGE,
  DEFAULT_MAX_BODY_BYTES,
  defaultUnverifiedLimits,
  MAX_WEBHOOK_BODY_BYTES,
} from '../shared/webhook-limits'
import { createEventStarter } from '../temporal/start-event'
import { createDeliveryMiddleware, type DeliveryDeps } from './delivery'
import { createDeliveryMetrics } from './metrics'
import type { WebhookLogger } from './observe'

export type { WebhookLogger }

export interface WebhookOptions {
  /** The app secret: X-Signature is the hex HMAC-SHA256 of the raw body under it. */
  secret: string
  /** Also accepted, during a secret rotation. */
  previousSecret?: string
  /** Your @temporalio/client Client: runs start through its connection and namespace. */
  client: Client
  /** Where the worker polls. Default 'scompler-webhooks'. */
  taskQueue?: string
  /** Larger bodies get 413. Default 1 MiB; at most 1.5 MiB (Temporal's payload limit). */
  maxBodyBytes?: number
  /** Older occurred_at gets 400 stale_event. Milliseconds or '72h', '30m'… Default '72h'. */
  maxAge?: string | number
  /** How long each run retries its store work (RunOptions). Default: the workflows' 30 minutes. */
  storeRetryWindow?: string | number
  /** One line per delivery (info, warn when refused, error when failed). Default: pino at info. */
  logger?: WebhookLogger
  /** A prom-client registry to count deliveries in. Default: none. */
  metrics?: Registry
}

/** Koa middleware answering the webhook: mount it at any path, before any body parser. */
export function createWebhookMiddleware(options: WebhookOptions): Middleware {
  return createDeliveryMiddleware(deliveryDeps(options, 'createWebhookMiddleware'))
}

/**
 * The same for node:http, Express and Fastify: give it the raw request and response, before any
 * body parser read them (Fastify: `request.raw` and `reply.raw` after `reply.hijack()`, in a plugin
 * whose only content-type parser leaves the stream unread; docs/library.md).
 */
export function createWebhookHandler(
  options: WebhookOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const app = new Koa()
  // The middleware answers every error itself; nothing is left for Koa to print.
  app.silent = true
  app.use(createDeliveryMiddleware(deliveryDeps(options, 'createWebhookHandler')))
  const handle = app.callback()
  return (req, res) => {
    void handle(req, res)
  }
}

const duration = z
  .union([z.number(), z.string()])
  .transform((value) => (typeof value === 'number' ? value : durationMillis(value)))
  .refine((millis) => Number.isFinite(millis) && millis > 0, {
    message: "must be milliseconds or a duration such as '72h'",
  })

const nonEmpty = z.string().min(1, 'must not be empty')

const optionsSchema = z.strictObject({
  secret: nonEmpty,
  previousSecret: nonEmpty.optional(),
  client: z.custom<Client>(
    (value) => typeof (value as Client | undefined)?.workflow?.start === 'function',
    'must be a @temporalio/client Client',
  ),
  taskQueue: nonEmpty.default(DEFAULT_TASK_QUEUE),
  maxBodyBytes: z
    .int()
    .positive()
    .max(MAX_WEBHOOK_BODY_BYTES, 'must be at most 1.5 MiB (Temporal refuses larger inputs)')
    .default(DEFAULT_MAX_BODY_BYTES),
  maxAge: duration.default(durationMillis(DEFAULT_MAX_AGE)),
  storeRetryWindow: duration.optional(),
  logger: z
    .custom<WebhookLogger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['info', 'warn', 'error'].every(
          (level) => typeof (value as Record<string, unknown>)[level] === 'function',
        ),
      'must have info, warn and error methods (a pino logger fits)',
    )
    .optional(),
  // Structural: the user's prom-client may be another copy than ours.
  metrics: z
    .custom<Registry>(
      (value) => typeof (value as Registry | undefined)?.registerMetric === 'function',
      'must be a prom-client Registry',
    )
    .optional(),
})

/** Refuses bad options at startup with the option's name, never its value. */
function deliveryDeps(options: WebhookOptions, caller: string): DeliveryDeps {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) throw new TypeError(`${caller}: ${describeIssues(parsed.error)}`)
  const o = parsed.data
  return {
    secrets: { current: o.secret, previous: o.previousSecret },
    maxBodyBytes: o.maxBodyBytes,
    unverified: defaultUnverifiedLimits(o.maxBodyBytes),
    maxAgeMs: o.maxAge,
    startEvent: createEventStarter(o.client, o.taskQueue, {
      runOptions:
        o.storeRetryWindow === undefined ? undefined : { storeRetryWindow: o.storeRetryWindow },
    }),
    logger: o.logger ?? createLogger({ level: 'info', name: 'scompler-webhooks' }),
    metrics: createDeliveryMetrics(o.metrics ?? new Registry()),
    now: Date.now,
  }
}
