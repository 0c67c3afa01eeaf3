import type { Client } from '@temporalio/client'
import { createClient } from '../../src/temporal/client'
import { lazyConnection } from '../../src/temporal/connect'
import { freePort } from '../../src/shared/listen'
import { startTestApi, type TestApi } from '../helpers/api'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'
import { describeWebhookContract, TARGET_MAX_BODY_BYTES } from './webhook-contract'

let client: Client
let api: TestApi
const taskQueue = uniqueTaskQueue('http')

beforeAll(async () => {
  client = await connectClient()
  api = await startTestApi({
    client,
    taskQueue,
    maxBodyBytes: TARGET_MAX_BODY_BYTES,
    previousSecret: true,
  })
})
afterAll(async () => {
  await api.close()
  await client.connection.close()
})

async function startWithoutTemporal() {
  const address = `127.0.0.1:${await freePort('127.0.0.1')}`
  const deadClient = createClient(lazyConnection({ address }), 'default', { tracing: false })
  const down = await startTestApi({ client: deadClient, taskQueue })
  return {
    http: down.http,
    async close() {
      await down.close()
      await deadClient.connection.close()
    },
  }
}

describeWebhookContract(() => ({
  http: api.http,
  port: api.port,
  client,
  taskQueue,
  starts: async () => api.starts(),
  startWithoutTemporal,
}))
