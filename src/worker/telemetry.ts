// What a worker process needs to be seen: Temporal's Runtime (logs through pino, SDK metrics),
// our metrics and, when an OTLP endpoint is configured, tracing. Set up before any connection.
import type { Config } from '../config'
import { freePort } from '../shared/listen'
import type { Logger } from '../shared/logger'
import { startTracing, type Tracing } from '../shared/tracing'
import { createWorkerMetrics, type WorkerMetrics } from './metrics'
import { installTemporalRuntime } from './runtime'

export interface Telemetry {
  tracing: Tracing | undefined
  metrics: WorkerMetrics
  /** Where the Runtime serves Temporal's SDK metrics (loopback only); undefined if not served. */
  temporalMetricsUrl: string | undefined
  close(): Promise<void>
}

/** `serveTemporalMetrics`: the SDK's metrics on a free loopback port, relayed by /metrics. */
export async function startWorkerTelemetry(
  config: Pick<Config, 'tracing'>,
  logger: Logger,
  options: { serveTemporalMetrics: boolean; serviceName: string },
): Promise<Telemetry> {
  const port = options.serveTemporalMetrics ? await freePort('127.0.0.1') : undefined
  installTemporalRuntime(logger, port ? `127.0.0.1:${port}` : undefined)
  const tracing = config.tracing ? startTracing({ serviceName: options.serviceName }) : undefined
  return {
    tracing,
    metrics: createWorkerMetrics(),
    temporalMetricsUrl: port ? `http://127.0.0.1:${port}/metrics` : undefined,
    close: async () => tracing?.shutdown(),
  }
}
