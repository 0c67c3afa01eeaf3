// The webhook's bounds, defined once for both ways of setting them: the environment
// (src/config.ts) and the package's options (src/http/webhook.ts). Plain values, so the package's
// root entry takes them without the environment loader and what it loads.

/** The body limit when none is set (WEBHOOK_MAX_BODY_BYTES, the maxBodyBytes option). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/**
 * The Temporal server refuses a workflow input over its blob size limit (`limit.blobSize.error`,
 * 2 MiB by default): the start would fail for good, answered 503 on every redelivery. The input is
 * the normalised event, so a body must stay below that limit with room for the envelope (id, type,
 * account, timestamps, payload metadata) and for re-serialisation: a quarter of it.
 */
export const TEMPORAL_BLOB_LIMIT_BYTES = 2 * 1024 * 1024
export const MAX_WEBHOOK_BODY_BYTES = 1.5 * 1024 * 1024

/** How old an event's occurred_at may be when none is set (WEBHOOK_MAX_AGE, the maxAge option). */
export const DEFAULT_MAX_AGE = '72h'

/** The bound on bodies being read before their signature is checked (src/http/unverified.ts). */
export interface UnverifiedLimits {
  /** Body bytes that requests not yet verified may hold together. */
  maxBytes: number
  /** Requests whose bodies are being read at once. */
  maxRequests: number
}

/** The defaults: room for 32 bodies of the largest size, and 64 requests. */
export function defaultUnverifiedLimits(maxBodyBytes: number): UnverifiedLimits {
  return { maxBytes: 32 * maxBodyBytes, maxRequests: 64 }
}
