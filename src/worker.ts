// `npm run start:worker`: runs the workflows and activities against PostgreSQL (DATABASE_URL).
import { NativeConnection } from '@temporalio/worker'
import { ConfigError, loadConfig } from './config'
import { runMain } from './shared/lifecycle'
import { createLogger } from './shared/logger'
import { openDatabase } from './store/database'
import { connectTemporal } from './temporal/connect'
import { temporalReadiness } from './temporal/namespace'
import { bootstrapWorker } from './worker/bootstrap'
import { startHealthServer } from './worker/health-server'
import { ledgerKeepMs, startLedgerPruning } from './worker/housekeeping'
import { startWorkerTelemetry } from './worker/telemetry'

void runMain('scompler-webhooks worker', async ({ shutdown, defer }) => {
  const config = loadConfig(process.env)
  if (!config.databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL is required for the worker (the embedded store is only for npm start)',
    )
  }
  const logger = createLogger({ level: config.logLevel, name: 'worker' })
  const { namespace, taskQueue } = config.temporal
  const telemetry = await startWorkerTelemetry(config, logger, {
    serveTemporalMetrics: true,
    serviceName: 'scompler-webhooks-worker',
  })
  defer(() => telemetry.close())
  const db = await openDatabase(config)
  defer(() => db.close())
  const connection = await connectTemporal(config.temporal.connection, {
    via: (options) => NativeConnection.connect(options),
    wait: { signal: shutdown, logger },
  })
  defer(() => connection.close())
  const { worker } = await bootstrapWorker({ config, connection, db, logger, telemetry })
  const pruning = startLedgerPruning({ db, keepMs: ledgerKeepMs(config.webhook.maxAgeMs), logger })
  defer(() => pruning.stop())
  const health = await startHealthServer({
    port: config.workerHealthPort,
    host: config.http.host,
    registry: telemetry.metrics.registry,
    temporalMetricsUrl: telemetry.temporalMetricsUrl,
    readiness: async () =>
      worker.getState() === 'RUNNING'
        ? temporalReadiness(connection, namespace)
        : `worker is ${worker.getState()}`,
  })
  defer(() => health.close())
  logger.info({ taskQueue, namespace, health: health.url }, 'worker running')
  // Temporal's runtime drains the worker on SIGINT/SIGTERM; run() resolves once it has.
  await worker.run()
})
