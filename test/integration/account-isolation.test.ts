// "The worker must never stall on one account": while another database session holds one
// account's installation row lock, more of that account's events than the store has connections
// are delivered, then events of other accounts. The others complete while the lock is still held;
// after its release every event completes, each effect exactly once. Real HTTP, a real worker, a
// real PostgreSQL.
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import { Client as PgClient } from 'pg'
import { WEBHOOK_PATH } from '../../src/domain'
import { addInstallation } from '../../src/store/installations'
import { DEFAULT_STORE_LIMITS } from '../../src/store/database'
import { startTestApi, type TestApi } from '../helpers/api'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { mapConcurrently } from '../helpers/deliver'
import { delivery, newAccountId, postingEvent, type WireEvent } from '../helpers/events'
import { effectsOf } from '../helpers/ledger'
import {
  connectClient,
  startTestWorker,
  uniqueTaskQueue,
  type TestWorker,
} from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

let store: TestDatabase
let client: Client
let worker: TestWorker
let api: TestApi
const taskQueue = uniqueTaskQueue('isolation')

beforeAll(async () => {
  ;[store, client] = await Promise.all([createTestDatabase(), connectClient()])
  worker = await startTestWorker({ db: store.db, taskQueue })
  api = await startTestApi({ client, taskQueue })
  reader = new PgClient({ connectionString: store.url })
  await reader.connect()
}, 120_000)
afterAll(async () => {
  await reader?.end()
  await api?.close()
  await worker?.stop()
  await client?.connection.close()
  await store?.drop()
})

async function installation(accountId: string): Promise<string> {
  const installationId = randomUUID()
  await addInstallation(
    store.db,
    {
      installationId,
      accountId,
      accessToken: `token-${installationId}`,
      installedAt: new Date(Date.now() - 3600_000),
    },
    TEST_TOKENS,
  )
  return installationId
}

async function deliver(event: WireEvent): Promise<void> {
  const { body, headers } = delivery(event)
  const res = await api.http.post(WEBHOOK_PATH).set(headers).send(body)
  expect(res.body.status).toBe('accepted')
}

/** Reads through a session of the test's own, never through the worker's pool. */
let reader: PgClient
const readerQueryable = () => ({
  query: async <R>(sql: string, params?: unknown[]) => ({
    rows: (await reader.query(sql, params)).rows as R[],
  }),
  exec: async (sql: string) => {
    await reader.query(sql)
  },
})

async function completedCount(ids: string[]): Promise<number> {
  return (await effectsOf(readerQueryable(), ids, 'posting_publications')).completed
}

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

it("delays only the locked account's events, then completes them all exactly once", async () => {
  const lockedAccount = newAccountId()
  await installation(lockedAccount)
  const otherAccounts = Array.from({ length: 6 }, () => newAccountId())
  for (const account of otherAccounts) await installation(account)

  // Another session holds the locked account's installation row, as a slow uninstall or a
  // person at a psql prompt would.
  const holder = new PgClient({ connectionString: store.url })
  await holder.connect()
  let released = false
  try {
    await holder.query('BEGIN')
    await holder.query(
      "SELECT 1 FROM installations WHERE account_id = $1 AND status = 'active' FOR UPDATE",
      [lockedAccount],
    )

    const lockedEvents = Array.from({ length: DEFAULT_STORE_LIMITS.poolSize + 6 }, () =>
      postingEvent({ account_id: lockedAccount }),
    )
    await mapConcurrently(lockedEvents, 8, deliver)
    // Some of them are already waiting for the row lock before the other accounts' events come.
    // (Read by `reader`, outside any transaction: inside one, pg_stat_activity is a snapshot.)
    await waitUntil(
      'a store session waits for the locked row',
      async () => {
        const { rows } = await reader.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
        return (rows[0]?.n ?? 0) > 0
      },
      60_000,
    )

    const otherEvents = otherAccounts.flatMap((account) =>
      [1, 2].map(() => postingEvent({ account_id: account })),
    )
    await mapConcurrently(otherEvents, 8, deliver)
    const otherIds = otherEvents.map((e) => e.id)
    await waitUntil(
      "the other accounts' events complete while the lock is held",
      async () => (await completedCount(otherIds)) === otherIds.length,
      60_000,
    )
    // Still held: none of the locked account's events could have done its work.
    expect(await completedCount(lockedEvents.map((e) => e.id))).toBe(0)

    await holder.query('COMMIT')
    released = true
    const lockedIds = lockedEvents.map((e) => e.id)
    await waitUntil(
      "the locked account's events complete after the release",
      async () => (await completedCount(lockedIds)) === lockedIds.length,
      150_000,
    )
    // Each effect exactly once: one ledger completion and one posting row per event.
    const all = [...lockedIds, ...otherIds]
    expect(await effectsOf(readerQueryable(), all, 'posting_publications')).toEqual({
      completed: all.length,
      rows: all.length,
    })
    for (const event of [...lockedEvents, ...otherEvents]) {
      const description = await client.workflow.getHandle(event.id).describe()
      expect(description.status.name).not.toBe('FAILED')
    }
  } finally {
    if (!released) await holder.query('ROLLBACK').catch(() => {})
    await holder.end()
  }
}, 300_000)
