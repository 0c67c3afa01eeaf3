// `npm start`: everything on one machine. An embedded Temporal dev server with its Web UI (unless
// TEMPORAL_ADDRESS is set), the embedded store (unless DATABASE_URL is set), setup, a worker and
// the HTTP receiver. Ctrl-C drains the worker, then stops the servers.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { NativeConnection } from '@temporalio/worker'
import { startAdminServer } from './admin/server'
import { startApiServer } from './http/server'
import { loadConfig, loadSecrets } from './config'
import { createWorker } from './worker/create-worker'
import { WEBHOOK_PATH } from './domain'
import { createLogger } from './shared/logger'
import { loadHooksModule } from './worker/hooks-module'
import { createApiMetrics } from './http/metrics'
import { runMain } from './shared/lifecycle'
import { openDatabase } from './store/database'
import { prepareTokenCipher } from './store/tokens'
import { startWorkerTelemetry } from './worker/telemetry'
import { startDevServer, type DevServer } from './temporal/dev-server'
import { setupNamespace } from './temporal/namespace'

void runMain('scompler-webhooks', async () => {
  const config = loadConfig(process.env)
  const secrets = loadSecrets(process.env)
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY })
  const { namespace, taskQueue } = config.temporal
  mkdirSync(config.dataDir, { recursive: true })
  const telemetry = await startWorkerTelemetry(config, logger, {
    serveTemporalMetrics: false,
    serviceName: 'scompler-webhooks',
  })

  const cleanup: Array<() => Promise<void>> = [() => telemetry.close()]
  try {
    // First, so that a second `npm start` on the same DATA_DIR stops at the store's lock file.
    const db = await openDatabase(config)
    cleanup.push(() => db.close())
    const tokens = await prepareTokenCipher(db, config.tokenKeys, logger)
    let devServer: DevServer | undefined
    if (!config.temporal.addressConfigured) {
      logger.info('starting the embedded Temporal dev server')
      devServer = await startDevServer({
        cliPath: config.temporalCliPath,
        env: process.env,
        namespace,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        logFile: path.join(config.dataDir, 'temporal.log'),
        ui: true,
      })
      cleanup.push(devServer.stop)
    }
    const connectionOptions = devServer
      ? { address: devServer.address }
      : config.temporal.connection
    const connection = await NativeConnection.connect(connectionOptions)
    cleanup.push(() => connection.close())
    const setup = await setupNamespace(connection, namespace, config.webhook.maxAgeMs)
    logger.debug(setup, 'namespace set up')

    const { worker, client } = await createWorker({
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
    // One /metrics for the API and the worker's activities.
    const metrics = createApiMetrics(telemetry.metrics.registry)
    const api = await startApiServer({
      config,
      secrets,
      client,
      logger,
      metrics,
      tracer: telemetry.tracing?.tracer,
    })
    cleanup.push(api.close)
    const admin = await startAdminServer({
      dataDir: config.dataDir,
      db,
      tokens,
      info: {
        temporalAddress: connectionOptions.address,
        namespace,
        webhookUrl: `${api.url}${WEBHOOK_PATH}`,
        webUiUrl: devServer?.uiUrl ?? config.temporalUiUrl,
      },
    })
    cleanup.push(admin.close)

    const webUi = devServer?.uiUrl ?? 'your Temporal Web UI'
    logger.info(
      {
        webhookUrl: `${api.url}${WEBHOOK_PATH}`,
        webUi: devServer?.uiUrl ? `${webUi}/namespaces/${namespace}/workflows` : undefined,
        temporal: connectionOptions.address,
        store: db.kind === 'pglite' ? path.join(config.dataDir, 'store') : 'PostgreSQL',
      },
      'scompler-webhooks is ready',
    )
    process.stdout.write(
      `\n  Webhook URL: ${api.url}${WEBHOOK_PATH}\n  Temporal Web UI: ${webUi}\n  Ctrl-C to stop\n\n`,
    )
    // Temporal's runtime drains the worker on SIGINT/SIGTERM; run() resolves once it has.
    await worker.run()
    logger.info('worker drained; stopping')
  } finally {
    for (const close of cleanup.reverse()) {
      await close().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'))
    }
  }
})
