import type { ScomplerEvent } from '../domain'
import type { SecretMatch } from './signature-checks'

/** What a delivery learns on the way, read by its log line once the answer is set. */
export interface Delivery {
  secret?: SecretMatch
  event?: ScomplerEvent
  /** An unexpected error behind a 500, for the log line. */
  error?: unknown
}

/** Set by the router on the context when a route matched (the metrics' `route` label). */
export interface RouteContext {
  _matchedRoute?: string | RegExp
}
