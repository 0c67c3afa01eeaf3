// `npm run start:worker`: the package's workflows and this app's handlers, as one Temporal worker.
import { NativeConnection } from '@temporalio/worker'
import { openStore } from 'scompler-webhooks/store'
import { createWorker } from 'scompler-webhooks/worker'
import { deleteAccountData, openAppDatabase } from './app-tables.ts'
import { loadConfig } from './config.ts'
import { createAppHandlers } from './handlers.ts'

const config = loadConfig()
const store = await openStore({
  databaseUrl: config.databaseUrl,
  tokenEncryptionKey: config.tokenEncryptionKey,
})
const pool = await openAppDatabase(config.databaseUrl)
const connection = await NativeConnection.connect({ address: config.temporalAddress })
try {
  const worker = await createWorker({
    connection,
    store,
    handlers: createAppHandlers({ pool, publisherUrl: config.publisherUrl }),
    deleteRelatedData: deleteAccountData,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
  })
  console.log(`worker running on task queue ${config.taskQueue}`)
  // Temporal's runtime drains the worker on SIGINT/SIGTERM; run() resolves once it has.
  await worker.run()
} finally {
  await connection.close()
  await pool.end()
  await store.close()
}
