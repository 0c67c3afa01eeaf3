// The one catalogue of HTTP error codes. Each answer's status, message and headers come from
// here, and so do the delivery log line's `reason` and the metrics' `reason` label (a fixed set).
// Every error body is {"error": <code>, "message": <short human text>} (DESIGN.md).
import type { Context } from 'koa'
import { InvalidEventError } from '../events'
import { TemporalUnavailableError } from '../temporal/start-event'
import { WebhookVerificationError } from './signature-checks'

/** How long a sender should wait before redelivering while Temporal is unavailable. */
const RETRY_AFTER_SECONDS = 10
/** How long a sender should wait before redelivering while unverified bodies fill the budget. */
const OVERLOADED_RETRY_AFTER_SECONDS = 5

interface ErrorSpec {
  status: number
  message: string
  headers?: Record<string, string>
}

const CATALOGUE = {
  payload_too_large: { status: 413, message: 'Body exceeds WEBHOOK_MAX_BODY_BYTES' },
  invalid_body: { status: 400, message: 'The request body could not be read' },
  invalid_signature: { status: 401, message: 'X-Signature does not match the request body' },
  invalid_json: { status: 400, message: 'Body is not valid UTF-8 JSON' },
  invalid_event: { status: 400, message: 'Body is not a Scompler event' },
  stale_event: { status: 400, message: 'occurred_at is outside WEBHOOK_MAX_AGE' },
  temporal_unavailable: {
    status: 503,
    message: 'Temporal is unavailable; retry later',
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  },
  // Not in DESIGN.md's list: the bound on unverified bodies (WEBHOOK_UNVERIFIED_MAX_*) is full.
  overloaded: {
    status: 503,
    message: 'Too many requests being read; retry later',
    headers: { 'Retry-After': String(OVERLOADED_RETRY_AFTER_SECONDS) },
  },
  method_not_allowed: {
    status: 405,
    message: 'Use POST for webhooks',
    headers: { Allow: 'POST' },
  },
  // A body parser read the request before the webhook: the signature can no longer be checked
  // over the bytes received. A server misconfiguration, not the sender's fault.
  body_already_read: {
    status: 500,
    message: 'The request body was read before the webhook could verify it',
  },
  not_found: { status: 404, message: 'No such endpoint' },
  not_ready: { status: 503, message: 'Not ready' },
  internal_error: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof CATALOGUE

export const HTTP_ERRORS: Readonly<Record<ErrorCode, ErrorSpec>> = CATALOGUE

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(HTTP_ERRORS, value)
}

/** An answer with a code from the catalogue; its message is safe to show the sender. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly code: ErrorCode,
    message: string = HTTP_ERRORS[code].message,
  ) {
    super(message)
  }
}

/** What the error handler sends: plain data (an Error would capture a stack nobody reads). */
export interface ErrorAnswer {
  code: ErrorCode
  message: string
}

export function errorAnswer(code: ErrorCode, message?: string): ErrorAnswer {
  return { code, message: message ?? HTTP_ERRORS[code].message }
}

/**
 * A body parser read the request before the webhook middleware (or put a parsed body in its
 * place): the exact bytes that were signed are gone. The message names the fix, for the log.
 */
export class BodyAlreadyReadError extends Error {
  override name = 'BodyAlreadyReadError'
  constructor() {
    super(
      'A body parser read the request before the webhook middleware, so its signature cannot be ' +
        'checked: mount the webhook before the body parser, or make the parser skip its path ' +
        '(koa-bodyparser and @koa/bodyparser: set ctx.disableBodyParser = true for it)',
    )
  }
}

export function asErrorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof HttpError) return error
  if (error instanceof WebhookVerificationError) {
    return errorAnswer('invalid_signature', error.message)
  }
  if (error instanceof InvalidEventError) return errorAnswer(error.code, error.message)
  if (error instanceof TemporalUnavailableError) return errorAnswer('temporal_unavailable')
  if (error instanceof BodyAlreadyReadError) return errorAnswer('body_already_read')
  // raw-body's errors carry a `type` (https://github.com/stream-utils/raw-body#errors).
  const bodyError = error as { type?: unknown; status?: unknown }
  if (bodyError.type === 'entity.too.large') return errorAnswer('payload_too_large')
  if (typeof bodyError.type === 'string' && bodyError.status === 400) {
    return errorAnswer('invalid_body')
  }
  return errorAnswer('internal_error')
}

/** Answers with the catalogue's status, headers and body for `code`. */
export function sendError(ctx: Context, { code, message }: ErrorAnswer): void {
  const { status, headers } = HTTP_ERRORS[code]
  ctx.status = status
  if (headers) ctx.set(headers)
  ctx.body = { error: code, message }
  // The rest of the body is not read: close rather than drain it.
  if (code === 'payload_too_large' || code === 'overloaded') ctx.set('Connection', 'close')
}
