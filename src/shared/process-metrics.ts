import { collectDefaultMetrics, type Registry } from 'prom-client'

/** Process metrics (CPU, memory, event loop lag, GC), once per registry. */
export function collectProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_seconds_total')) return
  collectDefaultMetrics({ register: registry })
}
