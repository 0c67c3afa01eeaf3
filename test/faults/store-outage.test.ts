// A PostgreSQL server of this file's own crashes while postings are being recorded and comes
// back: the transactions it cut off roll back, activities retry, every run completes, and each
// effect exists once.
import { parseEnvelope } from '../../src/events'
import { openDatabase, type Database } from '../../src/store/database'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { newAccountId, postingEvent } from '../helpers/events'
import { holdInstallations } from '../helpers/faults'
import { installFor } from '../helpers/installations'
import { effectsOf } from '../helpers/ledger'
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

let postgres: OwnPostgres
let db: Database

beforeAll(async () => {
  postgres = await startOwnPostgres()
  // The posting transactions wait on the held rows (below) until the crash, not the defaults' 5 s.
  db = await openDatabase({
    databaseUrl: postgres.url,
    dataDir: '',
    storeLimits: { lockTimeoutMs: 60_000, statementTimeoutMs: 60_000 },
  })
}, 120_000)
const stack = useStack({ name: 'store-outage', worker: true, db: () => db })
// After the stack has closed: its worker uses this server.
afterAll(async () => {
  await db?.close()
  postgres?.destroy()
}, 120_000)

it('completes every run with one effect each after the store crashes mid-processing', async () => {
  const accountIds = [newAccountId(), newAccountId(), newAccountId()]
  for (const accountId of accountIds) await installFor(db, accountId)
  const events = accountIds.flatMap((accountId) =>
    Array.from({ length: 10 }, () => parseEnvelope(postingEvent({ account_id: accountId }))),
  )
  // Another session holds the accounts' installation rows: each account's first posting
  // transaction is open, waiting on it, when the server crashes.
  const held = await holdInstallations(postgres.url, accountIds)
  await Promise.all(
    events.map((event) =>
      stack.client.workflow.start(
        'postingSentToPublish',
        workflowStartOptions(event, stack.taskQueue),
      ),
    ),
  )
  await held.waitForWaiters(accountIds.length)
  postgres.crash()
  await held.release()
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
  // The crash did interrupt work: the runs whose transactions it cut off ran their step again.
  const retried = await Promise.all(events.map((event) => retriedActivities(event.id)))
  expect(
    retried.filter((names) => names.includes('recordPostingSentToPublish')).length,
  ).toBeGreaterThanOrEqual(accountIds.length)
}, 300_000)

/** The activities of the run that took more than one attempt. */
async function retriedActivities(workflowId: string): Promise<string[]> {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []
  const scheduled = new Map(
    events.map((e) => [
      String(e.eventId),
      e.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
    ]),
  )
  return events.flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes
    return started && (started.attempt ?? 1) > 1
      ? [scheduled.get(String(started.scheduledEventId)) ?? '']
      : []
  })
}
