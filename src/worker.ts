// `npm run start:worker`: runs the workflows and activities against PostgreSQL (DATABASE_URL).
import { Registry, collectDefaultMetrics } from 'prom-client'
import { ConfigError, loadConfig } from './config'
import { createWorker } from './create-worker'
import { startHealthServer } from './health-server'
import { createLogger } from './logger'
import { loadHooksModule } from './hooks-module'
import { runMain } from './run'
import { openDatabase } from './store/database'
import { prepareTokenCipher } from './store/tokens'
import { connectWithRetry } from './temporal-connection'
import { missingSearchAttributes } from './temporal-setup'

void runMain('scompler-webhooks worker', async (shutdown) => {
  const config = loadConfig(process.env)
  if (!config.databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL is required for the worker (the embedded store is only for npm start)',
    )
  }
  const logger = createLogger({ level: config.logLevel, name: 'worker' })
  const { namespace, taskQueue } = config.temporal
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
      })
      const registry = new Registry()
      collectDefaultMetrics({ register: registry })
      const health = await startHealthServer({
        port: config.workerHealthPort,
        host: config.http.host,
        registry,
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
  }
})
