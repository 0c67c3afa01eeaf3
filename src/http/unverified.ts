// The bound on what unverified requests may hold. A body must be read whole before its signature
// can be checked, so without a bound anyone could make the API buffer WEBHOOK_MAX_BODY_BYTES per
// connection on as many connections as they like. Each request reserves its declared length (the
// whole limit when it declares none) before its body is read, and gives it back once the body is
// read or the request ends in any other way; over the bound it is refused at once (503).

import type { UnverifiedLimits } from '../shared/webhook-limits'

/** Bodies declared this small or smaller may use the share of each bound kept for them. */
export const SMALL_BODY_BYTES = 64 * 1024
/** Large or undeclared bodies may take this share of each bound; the rest is kept for small ones. */
const LARGE_SHARE = 0.75

export interface UnverifiedBudget {
  /** A release function (idempotent), or undefined when the request is over the bound. */
  reserve(declaredBytes: number | undefined): (() => void) | undefined
  readonly bytes: number
  readonly requests: number
}

/**
 * Genuine webhook events are a few kilobytes; a flood of large uploads may take three quarters of
 * each bound, so the last quarter stays open to small bodies and genuine deliveries get through.
 */
export function createUnverifiedBudget(
  limits: UnverifiedLimits,
  maxBodyBytes: number,
): UnverifiedBudget {
  const small = Math.min(SMALL_BODY_BYTES, maxBodyBytes)
  const largeBytes = Math.max(maxBodyBytes, Math.floor(limits.maxBytes * LARGE_SHARE))
  const largeRequests = Math.max(1, Math.floor(limits.maxRequests * LARGE_SHARE))
  let bytes = 0
  let requests = 0
  return {
    get bytes() {
      return bytes
    },
    get requests() {
      return requests
    },
    reserve(declared) {
      const reserved = declared ?? maxBodyBytes
      const isSmall = declared !== undefined && declared <= small
      const byteBound = isSmall ? limits.maxBytes : largeBytes
      const requestBound = isSmall ? limits.maxRequests : largeRequests
      if (bytes + reserved > byteBound || requests + 1 > requestBound) return undefined
      bytes += reserved
      requests += 1
      let held = true
      return () => {
        if (!held) return
        held = false
        bytes -= reserved
        requests -= 1
      }
    },
  }
}
