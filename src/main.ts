// `npm start`: everything on one machine. An embedded Temporal dev server with its Web UI (unless
// TEMPORAL_ADDRESS is set), the embedded store (unless DATABASE_URL is set), setup, a worker and
// the HTTP receiver. Ctrl-C drains the worker, then stops the servers.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { NativeConnection } from '@temporalio/worker'
import { startAdminServer } from './admin/server'
import { loadConfig, loadSecrets, type Config } from './config'
import { WEBHOOK_PATH } from './domain'
import { createApiMetrics } from './http/metrics'
import { startApiServer } from './http/server'
import { runMain, type MainContext } from './shared/lifecycle'
import { createLogger, type Logger } from './shared/logger'
import { openDatabase } from './store/database'
import { connectTemporal, type TemporalConnectionOptions } from './temporal/connect'
import { startDevServer } from './temporal/dev-server'
import { setupNamespace } from './temporal/namespace'
import { bootstrapWorker } from './worker/bootstrap'
import { ledgerKeepMs, startLedgerPruning } from './worker/housekeeping'
import { startWorkerTelemetry } from './worker/telemetry'

void runMain('scompler-webhooks', async ({ defer, shutdown }) => {
  const config = loadConfig(process.env)
  const secrets = loadSecrets(process.env)
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY })
  mkdirSync(config.dataDir, { recursive: true })
  const telemetry = await startWorkerTelemetry(config, logger, {
    serveTemporalMetrics: false,
    serviceName: 'scompler-webhooks',
  })
  defer(() => telemetry.close())
  // First, so that a second `npm start` on the same DATA_DIR stops at the store's lock file.
  const db = await openDatabase(config)
  defer(() => db.close())
  const temporal = await temporalServer(config, logger, { defer, shutdown })
  const connection = await connectTemporal(temporal.connection, {
    via: (options) => NativeConnection.connect(options),
  })
  defer(() => connection.close())
  const { namespace } = config.temporal
  logger.debug(
    await setupNamespace(connection, namespace, config.webhook.maxAgeMs),
    'namespace set up',
  )

  const { worker, client, tokens } = await bootstrapWorker({
    config,
    connection,
    db,
    logger,
    telemetry,
  })
  const pruning = startLedgerPruning({ db, keepMs: ledgerKeepMs(config.webhook.maxAgeMs), logger })
  defer(() => pruning.stop())
  // One /metrics for the API and the worker's activities.
  const metrics = createApiMetrics(telemetry.metrics.registry)
  const tracer = telemetry.tracing?.tracer
  const api = await startApiServer({ config, secrets, client, logger, metrics, tracer })
  defer(() => api.close())
  const webhookUrl = `${api.url}${WEBHOOK_PATH}`
  const admin = await startAdminServer({
    dataDir: config.dataDir,
    db,
    tokens,
    info: {
      temporalAddress: temporal.connection.address,
      namespace,
      webhookUrl,
      webUiUrl: temporal.uiUrl ?? config.temporalUiUrl,
    },
  })
  defer(() => admin.close())

  logger.info(
    {
      webhookUrl,
      ops: api.opsUrl,
      webUi: temporal.uiUrl ? `${temporal.uiUrl}/namespaces/${namespace}/workflows` : undefined,
      temporal: temporal.connection.address,
      store: db.kind === 'pglite' ? path.join(config.dataDir, 'store') : 'PostgreSQL',
    },
    'scompler-webhooks is ready',
  )
  const webUi = temporal.uiUrl ?? 'your Temporal Web UI'
  process.stdout.write(
    `\n  Webhook URL: ${webhookUrl}\n  Temporal Web UI: ${webUi}\n  Ctrl-C to stop\n\n`,
  )
  // Temporal's runtime drains the worker on SIGINT/SIGTERM; run() resolves once it has.
  await worker.run()
  logger.info('worker drained; stopping')
})

/** The configured Temporal server, or an embedded dev server (with its Web UI) under DATA_DIR. */
async function temporalServer(
  config: Config,
  logger: Logger,
  { defer, shutdown }: Pick<MainContext, 'defer' | 'shutdown'>,
): Promise<{ connection: TemporalConnectionOptions; uiUrl?: string }> {
  if (config.temporal.addressConfigured) return { connection: config.temporal.connection }
  logger.info('starting the embedded Temporal dev server')
  const devServer = await startDevServer({
    cliPath: config.temporalCliPath,
    cliDownload: {
      dir: path.join(config.dataDir, 'temporal-cli'),
      onDownload: (download) =>
        logger.info(download, 'no temporal command found: the Temporal SDK downloads it, once'),
      signal: shutdown,
    },
    env: process.env,
    namespace: config.temporal.namespace,
    dbFile: path.join(config.dataDir, 'temporal.db'),
    logFile: path.join(config.dataDir, 'temporal.log'),
    ui: true,
  })
  defer(() => devServer.stop())
  return { connection: { address: devServer.address }, uiUrl: devServer.uiUrl }
}
