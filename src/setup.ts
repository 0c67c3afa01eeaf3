// `npm run setup`: registers the search attributes and the namespace retention. Idempotent.
import { Connection } from '@temporalio/client'
import { loadConfig } from './config'
import { runMain } from './shared/lifecycle'
import { setupNamespace } from './temporal/namespace'

void runMain('scompler-webhooks setup', async () => {
  const config = loadConfig(process.env)
  const { namespace, connection: options } = config.temporal
  const connection = await Connection.connect({ ...options, connectTimeout: 10_000 })
  try {
    const { registered, retentionDays } = await setupNamespace(
      connection,
      namespace,
      config.webhook.maxAgeMs,
    )
    const attributes =
      registered.length > 0
        ? `registered ${registered.join(', ')}`
        : 'search attributes already present'
    process.stdout.write(
      `setup: namespace ${namespace} at ${options.address}: ${attributes}; retention ${retentionDays} days\n`,
    )
  } finally {
    await connection.close()
  }
})
