// Temporal's Runtime, once per process: the SDK's, workflows' and activities' logs go to our pino
// logger (so each line carries the workflow id, run id and, for activities, the attempt), and the
// SDK's own metrics are served in Prometheus format on a loopback port of their own.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common'
import { Runtime } from '@temporalio/worker'
import type { Logger } from '../shared/logger'

const PINO_LEVELS = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>

/** Temporal's Logger interface over pino; Temporal's metadata becomes the line's fields. */
function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    // A task token lets its holder complete or fail the activity: never written to a log.
    const fields = { ...meta }
    delete fields.taskToken
    logger[PINO_LEVELS[level]](fields, message)
  }
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  }
}

/**
 * Installs the Runtime; `metricsAddress` (host:port) serves the SDK's metrics. Names follow
 * Prometheus conventions: `temporal_` prefix, `_total` counters, durations in seconds.
 */
export function installTemporalRuntime(logger: Logger, metricsAddress?: string): void {
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: metricsAddress
      ? {
          metrics: {
            metricPrefix: 'temporal_',
            prometheus: {
              bindAddress: metricsAddress,
              countersTotalSuffix: true,
              unitSuffix: true,
              useSecondsForDurations: true,
            },
          },
        }
      : {},
  })
}
