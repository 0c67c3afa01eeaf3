// Activities honour cancellation: a store activity waiting for a locked row learns, through its
// heartbeat, that its run was cancelled, and its transaction ends at once (not at the lock
// timeout), rolled back. Real HTTP, a real worker, a real PostgreSQL.
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import { CancelledFailure } from '@temporalio/common'
import { Client as PgClient } from 'pg'
import { WEBHOOK_PATH } from '../../src/domain'
import { openDatabase, type Database } from '../../src/store/database'
import { addInstallation } from '../../src/store/installations'
import { startTestApi, type TestApi } from '../helpers/api'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { delivery, newAccountId, postingEvent } from '../helpers/events'
import {
  connectClient,
  startTestWorker,
  uniqueTaskQueue,
  waitForClose,
  type TestWorker,
} from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

let store: TestDatabase
let workerDb: Database
let client: Client
let worker: TestWorker
let api: TestApi
const taskQueue = uniqueTaskQueue('cancellation')
/** How each of the worker's transactions ended, and when. */
const ended: Array<{ at: number; error?: unknown }> = []

beforeAll(async () => {
  ;[store, client] = await Promise.all([createTestDatabase(), connectClient()])
  // A lock timeout far beyond the test's bound: only the cancellation can end the wait in time.
  workerDb = await openDatabase({
    databaseUrl: store.url,
    dataDir: '',
    storeLimits: { lockTimeoutMs: 60_000, statementTimeoutMs: 90_000 },
  })
  const watched: Database = {
    ...workerDb,
    async transaction(fn, options) {
      try {
        const result = await workerDb.transaction(fn, options)
        ended.push({ at: Date.now() })
        return result
      } catch (error) {
        ended.push({ at: Date.now(), error })
        throw error
      }
    },
  }
  worker = await startTestWorker({ db: watched, taskQueue })
  api = await startTestApi({ client, taskQueue })
}, 120_000)
afterAll(async () => {
  await api?.close()
  await worker?.stop()
  await workerDb?.close()
  await client?.connection.close()
  await store?.drop()
})

it('ends a cancelled run’s store transaction at once and rolls it back', async () => {
  const accountId = newAccountId()
  await addInstallation(
    store.db,
    {
      installationId: randomUUID(),
      accountId,
      accessToken: 'token',
      installedAt: new Date(Date.now() - 3600_000),
    },
    TEST_TOKENS,
  )
  const holder = new PgClient({ connectionString: store.url })
  await holder.connect()
  try {
    await holder.query('BEGIN')
    await holder.query('SELECT 1 FROM installations WHERE account_id = $1 FOR UPDATE', [accountId])
    const event = postingEvent({ account_id: accountId })
    const { body, headers } = delivery(event)
    const res = await api.http.post(WEBHOOK_PATH).set(headers).send(body)
    expect(res.body.status).toBe('accepted')

    // Its posting activity waits for the locked row.
    for (let i = 0; ; i++) {
      // Inside a transaction the statistics are a snapshot taken at first use: take a fresh one.
      await holder.query('SELECT pg_stat_clear_snapshot()')
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
      if ((rows[0]?.n ?? 0) > 0) break
      if (i > 240) throw new Error('the posting activity never waited for the lock')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const before = ended.length
    const cancelledAt = Date.now()
    await client.workflow.getHandle(event.id).cancel()
    expect((await waitForClose(client, event.id)).status.name).toBe('CANCELLED')

    for (let i = 0; ended.length === before; i++) {
      if (i > 100) throw new Error('the transaction did not end within 10 s of the cancellation')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const outcome = ended[before]!
    expect(outcome.error).toBeInstanceOf(CancelledFailure)
    expect(outcome.at - cancelledAt).toBeLessThan(10_000)

    await holder.query('COMMIT')
    // Never committed: no posting row, no completion in the ledger.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const { rows } = await holder.query(
      `SELECT (SELECT count(*)::int FROM posting_publications WHERE event_id = $1) AS rows,
              (SELECT count(*)::int FROM processed_events
                WHERE event_id = $1 AND status = 'completed') AS completed`,
      [event.id],
    )
    expect(rows).toEqual([{ rows: 0, completed: 0 }])
  } finally {
    await holder.query('ROLLBACK').catch(() => {})
    await holder.end()
  }
}, 180_000)
