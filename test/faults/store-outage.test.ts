// A PostgreSQL server of this file's own crashes while postings are being recorded and comes
// back: activities retry, every run completes, and each effect exists once.
import { parseEnvelope } from '../../src/events'
import { openDatabase, type Database } from '../../src/store/database'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { newAccountId, postingEvent } from '../helpers/events'
import { installFor } from '../helpers/installations'
import { effectsOf } from '../helpers/ledger'
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

let postgres: OwnPostgres
let db: Database
let recorded = 0

beforeAll(async () => {
  postgres = await startOwnPostgres()
  db = await openDatabase({ databaseUrl: postgres.url, dataDir: '' })
}, 120_000)
const stack = useStack({
  name: 'store-outage',
  worker: true,
  db: () => db,
  hooks: {
    // Slow enough that the crash lands inside some transactions.
    async postingSentToPublish() {
      recorded++
      await new Promise((resolve) => setTimeout(resolve, 100))
    },
  },
})
// After the stack has closed: its worker uses this server.
afterAll(async () => {
  await db?.close()
  postgres?.destroy()
}, 120_000)

it('completes every run with one effect each after the store crashes mid-processing', async () => {
  const accountId = newAccountId()
  await installFor(db, accountId)
  const events = Array.from({ length: 30 }, () =>
    parseEnvelope(postingEvent({ account_id: accountId })),
  )
  await Promise.all(
    events.map((event) =>
      stack.client.workflow.start(
        'postingSentToPublish',
        workflowStartOptions(event, stack.taskQueue),
      ),
    ),
  )
  const deadline = Date.now() + 60_000
  while (recorded < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  postgres.crash()
  await new Promise((resolve) => setTimeout(resolve, 3000))
  postgres.start()

  for (const event of events) {
    expect((await waitForClose(stack.client, event.id, undefined, 180_000)).status.name).toBe(
      'COMPLETED',
    )
  }
  const ids = events.map((event) => event.id)
  expect(await effectsOf(db, ids, 'posting_publications')).toEqual({
    completed: events.length,
    rows: events.length,
  })
  // The crash did interrupt work: more hook calls than events (rolled-back attempts ran again).
  expect(recorded).toBeGreaterThan(events.length)
}, 300_000)
