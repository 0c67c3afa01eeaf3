// A PostgreSQL server of this file's own crashes while postings are being recorded and comes
// back: activities retry, every run completes, and each effect exists once.
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import { parseEnvelope } from '../../src/events'
import { openDatabase, type Database } from '../../src/store/database'
import { addInstallation } from '../../src/store/installations'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { newAccountId, postingEvent } from '../helpers/events'
import { effectsOf } from '../helpers/ledger'
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres'
import {
  connectClient,
  startTestWorker,
  uniqueTaskQueue,
  waitForClose,
  type TestWorker,
} from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

let postgres: OwnPostgres
let db: Database
let client: Client
let worker: TestWorker
const taskQueue = uniqueTaskQueue('store-outage')
let recorded = 0

beforeAll(async () => {
  postgres = await startOwnPostgres()
  db = await openDatabase({ databaseUrl: postgres.url, dataDir: '' })
  client = await connectClient()
  worker = await startTestWorker({
    db,
    taskQueue,
    hooks: {
      // Slow enough that the crash lands inside some transactions.
      async postingSentToPublish() {
        recorded++
        await new Promise((resolve) => setTimeout(resolve, 100))
      },
    },
  })
}, 120_000)
afterAll(async () => {
  await worker?.stop()
  await client?.connection.close()
  await db?.close()
  postgres?.destroy()
}, 120_000)

it('completes every run with one effect each after the store crashes mid-processing', async () => {
  const accountId = newAccountId()
  await addInstallation(
    db,
    {
      installationId: randomUUID(),
      accountId,
      accessToken: 'token-of-the-store-outage-test',
      installedAt: new Date(Date.now() - 3600_000),
    },
    TEST_TOKENS,
  )
  const events = Array.from({ length: 30 }, () =>
    parseEnvelope(postingEvent({ account_id: accountId })),
  )
  await Promise.all(
    events.map((event) =>
      client.workflow.start('postingSentToPublish', workflowStartOptions(event, taskQueue)),
    ),
  )
  const deadline = Date.now() + 60_000
  while (recorded < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  postgres.crash()
  await new Promise((resolve) => setTimeout(resolve, 3000))
  postgres.start()

  for (const event of events) {
    expect((await waitForClose(client, event.id, undefined, 180_000)).status.name).toBe('COMPLETED')
  }
  const ids = events.map((event) => event.id)
  expect(await effectsOf(db, ids, 'posting_publications')).toEqual({
    completed: events.length,
    rows: events.length,
  })
  // The crash did interrupt work: more hook calls than events (rolled-back attempts ran again).
  expect(recorded).toBeGreaterThan(events.length)
}, 300_000)
