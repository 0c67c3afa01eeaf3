// `npm run start:api`: the HTTP receiver alone. It never opens the store, and it boots and stays
// up without Temporal (deliveries get 503 until Temporal is back).
import { loadConfig, loadSecrets } from './config'
import { startApiServer } from './http/server'
import { createLogger } from './shared/logger'
import { runMain, untilAborted } from './shared/lifecycle'
import { startApiTracing } from './shared/tracing'
import { createLazyClient } from './temporal/start-event'

void runMain('scompler-webhooks api', async (shutdown) => {
  const config = loadConfig(process.env)
  const secrets = loadSecrets(process.env)
  const logger = createLogger({ level: config.logLevel, name: 'api' })
  const tracing = startApiTracing(config)
  const client = createLazyClient(config.temporal, { tracing: tracing !== undefined })
  try {
    const api = await startApiServer({ config, secrets, client, logger, tracer: tracing?.tracer })
    logger.info({ url: api.url, temporal: config.temporal.connection.address }, 'API listening')
    await untilAborted(shutdown)
    logger.info('shutting down: finishing requests in flight')
    await api.close()
  } finally {
    await client.connection.close()
    await tracing?.shutdown()
  }
})
