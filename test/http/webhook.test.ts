import { createClient } from '../../src/temporal/client'
import { lazyConnection } from '../../src/temporal/connect'
import { freePort } from '../../src/shared/listen'
import { startTestApi } from '../helpers/api'
import { useStack } from '../helpers/stack'
import { describeWebhookContract, TARGET_MAX_BODY_BYTES } from './webhook-contract'

const stack = useStack({
  name: 'http',
  api: { maxBodyBytes: TARGET_MAX_BODY_BYTES, previousSecret: true },
})

async function startWithoutTemporal() {
  const address = `127.0.0.1:${await freePort('127.0.0.1')}`
  const deadClient = createClient(lazyConnection({ address }), 'default', { tracing: false })
  const down = await startTestApi({ client: deadClient, taskQueue: stack.taskQueue })
  return {
    http: down.http,
    async close() {
      await down.close()
      await deadClient.connection.close()
    },
  }
}

describeWebhookContract(() => ({
  http: stack.api.http,
  port: stack.api.port,
  client: stack.client,
  taskQueue: stack.taskQueue,
  starts: async () => stack.api.starts(),
  startWithoutTemporal,
}))
