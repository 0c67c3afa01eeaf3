// The API's Prometheus metrics. Label values come only from fixed sets, so a sender cannot grow
// the number of series: unknown event types count as `other`, unmatched paths as `unmatched`.
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { isKnownEvent } from '../domain'
import { collectProcessMetrics } from '../shared/process-metrics'
import type { ErrorCode } from './errors'

/** What became of a delivery: the `outcome` label and the log line's `outcome`. */
export type DeliveryOutcome = 'accepted' | 'duplicate' | 'rejected' | 'unavailable' | 'error'

/** Why a delivery was refused: the error code of its answer; `none` when it was not. */
export type DeliveryReason = ErrorCode | 'none'

/** What the webhook middleware counts; in the user's registry when they give one. */
export interface DeliveryMetrics {
  deliveries: Counter<'event' | 'outcome' | 'reason' | 'secret'>
  unverifiedBytes: Gauge
  unverifiedRequests: Gauge
  startDuration: Histogram<'result'>
}

/** The standalone API's: the deliveries' metrics, and its HTTP and process metrics. */
export interface ApiMetrics extends DeliveryMetrics {
  registry: Registry
  requestDuration: Histogram<'method' | 'route' | 'status'>
  requestsInFlight: Gauge
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** `registry` may be shared (npm start serves the worker's metrics on the same endpoint). */
export function createApiMetrics(registry = new Registry()): ApiMetrics {
  collectProcessMetrics(registry)
  const registers = [registry]
  return {
    registry,
    ...createDeliveryMetrics(registry),
    requestDuration: new Histogram({
      name: 'scompler_http_request_duration_seconds',
      help: 'HTTP request latency, from the first byte read to the answer',
      labelNames: ['method', 'route', 'status'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    requestsInFlight: new Gauge({
      name: 'scompler_http_requests_in_flight',
      help: 'HTTP requests being handled right now',
      registers,
    }),
  }
}

/**
 * Registered once per registry: a second middleware given the same registry counts in the same
 * series (prom-client refuses a second metric of one name).
 */
export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const registers = [registry]
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined
  return {
    deliveries:
      existing('scompler_webhook_deliveries_total') ??
      new Counter({
        name: 'scompler_webhook_deliveries_total',
        help: 'Webhook deliveries by event type, outcome, rejection reason and the secret that verified them',
        labelNames: ['event', 'outcome', 'reason', 'secret'],
        registers,
      }),
    unverifiedBytes:
      existing('scompler_http_unverified_body_bytes') ??
      new Gauge({
        name: 'scompler_http_unverified_body_bytes',
        help: 'Body bytes reserved by webhook requests being read, before their signature is checked',
        registers,
      }),
    unverifiedRequests:
      existing('scompler_http_unverified_requests') ??
      new Gauge({
        name: 'scompler_http_unverified_requests',
        help: 'Webhook requests whose bodies are being read, before their signature is checked',
        registers,
      }),
    startDuration:
      existing('scompler_temporal_start_duration_seconds') ??
      new Histogram({
        name: 'scompler_temporal_start_duration_seconds',
        help: 'Latency of starting a workflow in Temporal, retries included',
        labelNames: ['result'],
        buckets: SECONDS_BUCKETS,
        registers,
      }),
  }
}

export function eventLabel(event: string | undefined): string {
  if (event === undefined) return 'unknown'
  return isKnownEvent(event) ? event : 'other'
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other'
}
