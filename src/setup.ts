// `npm run setup`: registers the search attributes and the namespace retention, as
// `scompler-webhooks setup` does (src/cli/setup.ts). Idempotent.
import { describeSetup, setupTemporal } from './cli/setup'
import { loadConfig } from './config'
import { runMain } from './shared/lifecycle'
import { connectTemporal } from './temporal/connect'

void runMain('scompler-webhooks setup', async ({ defer }) => {
  const config = loadConfig(process.env)
  const { namespace, connection: options } = config.temporal
  const connection = await connectTemporal({ ...options, connectTimeout: 10_000 })
  defer(() => connection.close())
  const result = await setupTemporal(connection, {
    namespace,
    address: options.address,
    maxAgeMs: config.webhook.maxAgeMs,
  })
  process.stdout.write(`${describeSetup(result)}\n`)
})
