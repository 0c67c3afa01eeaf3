// `npm run start:api`: the app's HTTP server (its routes and the webhook endpoint).
import { Client, Connection } from '@temporalio/client'
import { openStore } from 'scompler-webhooks/store'
import { createApp } from './app.ts'
import { loadConfig } from './config.ts'

const config = loadConfig()
// Lazy: the API starts, and answers 503 to webhooks, while Temporal is unreachable.
const connection = Connection.lazy({ address: config.temporalAddress })
const client = new Client({ connection, namespace: config.namespace })
// The install callback records installations in the webhook store.
const store = await openStore({
  databaseUrl: config.databaseUrl,
  tokenEncryptionKey: config.tokenEncryptionKey,
})
const app = createApp({ client, store, secret: config.secret, taskQueue: config.taskQueue })
const server = app.listen(config.port, () => {
  console.log(`API listening on http://localhost:${config.port}`)
})

async function shutdown(): Promise<void> {
  await new Promise((resolve) => server.close(resolve))
  await connection.close()
  await store.close()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void shutdown())
}
