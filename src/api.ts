// `npm run start:api`: the HTTP receiver alone. It never opens the store, and it boots and stays
// up without Temporal (deliveries get 503 until Temporal is back).
import { loadConfig, loadSecrets } from './config'
import { startApiServer } from './http/server'
import { runMain, untilAborted } from './shared/lifecycle'
import { createLogger } from './shared/logger'
import { startTracing } from './shared/tracing'
import { createClient } from './temporal/client'
import { lazyConnection } from './temporal/connect'

void runMain('scompler-webhooks api', async ({ shutdown, defer }) => {
  const config = loadConfig(process.env)
  const secrets = loadSecrets(process.env)
  const logger = createLogger({ level: config.logLevel, name: 'api' })
  const tracing = config.tracing
    ? startTracing({ serviceName: 'scompler-webhooks-api' })
    : undefined
  defer(() => tracing?.shutdown())
  const connection = lazyConnection(config.temporal.connection)
  defer(() => connection.close())
  const client = createClient(connection, config.temporal.namespace, { tracing: config.tracing })
  const api = await startApiServer({ config, secrets, client, logger, tracer: tracing?.tracer })
  defer(() => api.close())
  logger.info(
    { url: api.url, ops: api.opsUrl, temporal: config.temporal.connection.address },
    'API listening',
  )
  await untilAborted(shutdown)
  logger.info('shutting down: finishing requests in flight')
})
