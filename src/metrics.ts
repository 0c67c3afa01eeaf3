import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { isKnownEvent } from './domain'

export type DeliveryOutcome =
  | 'accepted'
  | 'duplicate'
  | 'payload_too_large'
  | 'invalid_signature'
  | 'invalid_json'
  | 'invalid_event'
  | 'stale_event'
  | 'temporal_unavailable'
  | 'error'

export interface ApiMetrics {
  registry: Registry
  deliveries: Counter<'event' | 'outcome' | 'secret'>
  requestDuration: Histogram<'route' | 'status'>
  startDuration: Histogram<'result'>
}

export function createApiMetrics(registry = new Registry()): ApiMetrics {
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    deliveries: new Counter({
      name: 'scompler_webhook_deliveries_total',
      help: 'Webhook deliveries by event type and outcome, and which secret verified them',
      labelNames: ['event', 'outcome', 'secret'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'scompler_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    startDuration: new Histogram({
      name: 'scompler_temporal_start_duration_seconds',
      help: 'Latency of starting a workflow in Temporal',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  }
}

/** Metric labels come only from fixed sets: an unknown event type counts as `other`. */
export function eventLabel(event: string | undefined): string {
  if (event === undefined) return 'unknown'
  return isKnownEvent(event) ? event : 'other'
}
