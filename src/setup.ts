// `npm run setup`: registers the search attributes and the namespace retention. Idempotent.
import { loadConfig } from './config'
import { runMain } from './shared/lifecycle'
import { connectTemporal } from './temporal/connect'
import { setupNamespace } from './temporal/namespace'

void runMain('scompler-webhooks setup', async ({ defer }) => {
  const config = loadConfig(process.env)
  const { namespace, connection: options } = config.temporal
  const connection = await connectTemporal({ ...options, connectTimeout: 10_000 })
  defer(() => connection.close())
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
})
