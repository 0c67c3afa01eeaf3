import type { ScomplerEvent } from '../domain'
import type { SecretMatch } from './signature-checks'

/** What the delivery middlewares learn on the way, read by the log line once the answer is set. */
export interface DeliveryState {
  body?: Buffer
  secret?: SecretMatch
  event?: ScomplerEvent
  /** An unexpected error behind a 500, for the log line. */
  error?: unknown
}

/** Set by the router on the context when a route matched (the metrics' `route` label). */
export interface RouteContext {
  _matchedRoute?: string | RegExp
}

/** What an earlier middleware put in the state; its absence is a wiring bug (a 500). */
export function fromState<K extends keyof DeliveryState>(
  state: DeliveryState,
  key: K,
): NonNullable<DeliveryState[K]> {
  const value = state[key]
  if (value === undefined || value === null) throw new Error(`no ${key} in the request state`)
  return value
}
