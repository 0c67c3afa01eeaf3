// `npm run start:worker`: runs the workflows and activities against PostgreSQL (DATABASE_URL).
import { ConfigError, loadConfig } from './config'
import { createWorker } from './worker/create-worker'
import { startHealthServer } from './worker/health-server'
import { createLogger } from './shared/logger'
import { loadHooksModule } from './worker/hooks-module'
import { runMain } from './shared/lifecycle'
import { openDatabase } from './store/database'
import { prepareTokenCipher } from './store/tokens'
import { startWorkerTelemetry } from './worker/telemetry'
import { connectWithRetry } from './temporal/connect'
import { missingSearchAttributes } from './temporal/namespace'

void runMain('scompler-webhooks worker', async (shutdown) => {
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
  const db = await openDatabase(config)
  try {
    const tokens = await prepareTokenCipher(db, config.tokenKeys, logger)
    const connection = await connectWithRetry(config.temporal.connection, logger, shutdown)
    try {
      const { worker } = await createWorker({
        connection,
        namespace,
        taskQueue,
        db,
        hooks: await loadHooksModule(config.hooksModule),
        tokens,
        workflowBundlePath: config.workflowBundlePath,
        metrics: telemetry.metrics,
        tracing: telemetry.tracing,
      })
      const health = await startHealthServer({
        port: config.workerHealthPort,
        host: config.http.host,
        registry: telemetry.metrics.registry,
        temporalMetricsUrl: telemetry.temporalMetricsUrl,
        readiness: async () => {
          if (worker.getState() !== 'RUNNING') return `worker is ${worker.getState()}`
          const missing = await missingSearchAttributes(connection, namespace).catch(
            () => undefined,
          )
          if (missing === undefined) return 'Temporal is unreachable'
          return missing.length > 0
            ? `search attributes missing: ${missing.join(', ')} (run npm run setup)`
            : undefined
        },
      })
      logger.info({ taskQueue, namespace, health: health.url }, 'worker running')
      try {
        // Temporal's runtime drains the worker on SIGINT/SIGTERM; run() resolves once it has.
        await worker.run()
      } finally {
        await health.close()
      }
    } finally {
      await connection.close()
    }
  } finally {
    await db.close()
    await telemetry.close()
  }
})
