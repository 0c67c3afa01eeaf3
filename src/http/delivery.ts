// The webhook endpoint as one Koa middleware: read the raw body (limits, the unverified budget),
// verify it, parse it, start its workflow, answer from the catalogue, log one line and count the
// delivery. It answers every request it is given and never calls next(): the standalone app mounts
// it at WEBHOOK_PATH, a user's app wherever they like (src/http/webhook.ts).
import type { IncomingMessage } from 'node:http'
import { trace } from '@opentelemetry/api'
import type { Context, Middleware } from 'koa'
import getRawBody from 'raw-body'
import { SIGNATURE_HEADER, type ScomplerEvent } from '../domain'
import { assertFresh, parseEnvelope, parseJson } from '../events'
import type { UnverifiedLimits } from '../shared/webhook-limits'
import type { StartEvent, StartOutcome } from '../temporal/start-event'
import { asErrorAnswer, BodyAlreadyReadError, errorAnswer, HttpError, sendError } from './errors'
import type { DeliveryMetrics } from './metrics'
import { recordDelivery, type WebhookLogger } from './observe'
import { verifySignature, type WebhookSecrets } from './signature'
import type { Delivery } from './state'
import { createUnverifiedBudget, type UnverifiedBudget } from './unverified'

export interface DeliveryDeps {
  secrets: WebhookSecrets
  maxBodyBytes: number
  /** What bodies not yet verified may hold together. */
  unverified: UnverifiedLimits
  maxAgeMs: number
  startEvent: StartEvent
  logger: WebhookLogger
  metrics: DeliveryMetrics
  now: () => number
}

export function createDeliveryMiddleware(deps: DeliveryDeps): Middleware {
  const budget = createUnverifiedBudget(deps.unverified, deps.maxBodyBytes)
  const readBody = rawBodyReader(deps.maxBodyBytes, budget, deps.metrics)
  return async function scomplerWebhook(ctx) {
    if (ctx.method !== 'POST') return sendError(ctx, errorAnswer('method_not_allowed'))
    const started = process.hrtime.bigint()
    const delivery: Delivery = {}
    try {
      const event = parseEvent(deps, delivery, await readBody(ctx), ctx.req.headers)
      ctx.body = { ...(await startWorkflow(deps, event)), eventId: event.id }
    } catch (error) {
      const answer = asErrorAnswer(error)
      sendError(ctx, answer)
      // An expected refusal under a flood needs no stack in the log line.
      if (ctx.status >= 500 && answer.code !== 'overloaded') delivery.error = error
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      recordDelivery(deps.logger, deps.metrics, delivery, {
        status: ctx.status,
        body: ctx.body,
        seconds,
      })
    }
  }
}

/** The signature covers the exact bytes received: nothing is parsed before it is checked. */
function parseEvent(
  deps: DeliveryDeps,
  delivery: Delivery,
  body: Buffer,
  headers: IncomingMessage['headers'],
): ScomplerEvent {
  delivery.secret = verifySignature(deps.secrets, body, headers[SIGNATURE_HEADER])
  const event = parseEnvelope(parseJson(body))
  delivery.event = event
  trace.getActiveSpan()?.setAttribute('scompler.event_id', event.id)
  assertFresh(event, deps.now(), deps.maxAgeMs)
  return event
}

async function startWorkflow(deps: DeliveryDeps, event: ScomplerEvent): Promise<StartOutcome> {
  const stop = deps.metrics.startDuration.startTimer()
  try {
    const outcome = await deps.startEvent(event)
    stop({ result: outcome.status })
    return outcome
  } catch (error) {
    stop({ result: 'unavailable' })
    throw error
  }
}

/**
 * A declared length over the limit is refused before reading; a body that grows past it too. The
 * body reserves its declared length (else the limit) in the unverified budget while it is read:
 * over the budget, 503 at once; given back when the read ends, however it ends.
 */
function rawBodyReader(limit: number, budget: UnverifiedBudget, metrics: DeliveryMetrics) {
  const report = () => {
    metrics.unverifiedBytes.set(budget.bytes)
    metrics.unverifiedRequests.set(budget.requests)
  }
  return async function readRawBody(ctx: Context): Promise<Buffer> {
    // Checked first: reading a stream someone else read would wait for an end that never comes.
    if (bodyAlreadyRead(ctx)) throw new BodyAlreadyReadError()
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
      return await getRawBody(ctx.req, { limit, length: declared })
    } finally {
      ctx.req.off('close', release)
      release()
    }
  }
}

/**
 * A body parser ran before us: Koa's parsers set ctx.request.body, Express's set req.body, and any
 * reader leaves the stream read, ended or flowing. Never re-serialise what a parser made of it:
 * the signature is over the bytes received, and those are gone.
 */
function bodyAlreadyRead(ctx: Context): boolean {
  const req: IncomingMessage & { body?: unknown } = ctx.req
  return (
    (ctx.request as { body?: unknown }).body !== undefined ||
    req.body !== undefined ||
    req.readableDidRead ||
    req.readableEnded ||
    req.readableFlowing !== null
  )
}

function noop(): void {}
