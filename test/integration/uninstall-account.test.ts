// app.uninstalled against a real PostgreSQL, activities driven directly in Temporal's mock activity
// environment: related data goes only when no NEWER active installation of the account exists (by
// installed_at), and uninstall, installation add and posting handling take turns per account, so
// a lost old uninstall never blocks a cleanup and a reinstall during a slow cleanup keeps its rows.
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import { MockActivityEnvironment } from '@temporalio/testing'
import { createActivities, defaultHooks, type Hooks } from '../../activities'
import type { ScomplerEvent } from '../../src/domain'
import { parseEnvelope } from '../../src/events'
import { openDatabase, type Database } from '../../src/store/database'
import { addInstallation, getInstallation } from '../../src/store/installations'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { newAccountId, postingEvent, uninstallEvent, type WireEvent } from '../helpers/events'
import { installFor } from '../helpers/installations'
import { TEST_TOKENS } from '../helpers/tokens'

let store: TestDatabase
/** A second pool on the same database: another worker, or the CLI, in another process. */
let other: Database
// Only cancelPostingRuns uses the client, and these tests never call it.
const noClient = {} as Client

beforeAll(async () => {
  store = await createTestDatabase()
  other = await openDatabase({ databaseUrl: store.url, dataDir: '' })
}, 60_000)
afterAll(async () => {
  await other?.close()
  await store?.drop()
})

function run<T>(fn: () => Promise<T>): Promise<T> {
  return new MockActivityEnvironment().run(fn)
}

async function uninstall(db: Database, wire: WireEvent, hooks?: Partial<Hooks>) {
  const activities = createActivities({ db, client: noClient, hooks })
  const input = { event: parseEnvelope(wire), runId: randomUUID() }
  await run(() => activities.claimEvent(input))
  return run(() => activities.uninstallInstallation(input))
}

async function post(db: Database, event: ScomplerEvent) {
  const activities = createActivities({ db, client: noClient })
  const input = { event, runId: randomUUID() }
  await run(() => activities.claimEvent(input))
  return run(() => activities.recordPostingSentToPublish(input))
}

async function publications(accountId: string): Promise<string[]> {
  const { rows } = await store.db.query<{ id: string }>(
    `SELECT installation_id::text AS id FROM posting_publications WHERE account_id = $1
     ORDER BY recorded_at`,
    [accountId],
  )
  return rows.map((row) => row.id)
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000)

describe('related data is judged by the newest installation', () => {
  it('a lost old uninstall does not block the cleanup of the newer one; its late arrival cleans up too', async () => {
    const accountId = newAccountId()
    const a = await installFor(store.db, accountId, { installedAt: hoursAgo(3) })
    const b = await installFor(store.db, accountId, { installedAt: hoursAgo(2) })
    await post(store.db, parseEnvelope(postingEvent({ account_id: accountId })))
    expect(await publications(accountId)).toEqual([b])

    // A's uninstall was lost: A still looks active. B's uninstall must still clean up.
    const first = await uninstall(
      store.db,
      uninstallEvent({
        account_id: accountId,
        data: { delete_related_data: true, installation_id: b },
      }),
    )
    expect(first.details).toMatchObject({ relatedDataDeleted: true, relatedRowsDeleted: 1 })
    expect(await publications(accountId)).toEqual([])

    // Meanwhile A is the newest active one and takes the account's postings.
    await post(store.db, parseEnvelope(postingEvent({ account_id: accountId })))
    expect(await publications(accountId)).toEqual([a])
    // A's uninstall arrives late: B is newer but uninstalled, so nothing newer is active.
    const late = await uninstall(
      store.db,
      uninstallEvent({
        account_id: accountId,
        data: { delete_related_data: true, installation_id: a },
      }),
    )
    expect(late.details).toMatchObject({ relatedDataDeleted: true, relatedRowsDeleted: 1 })
    expect(await publications(accountId)).toEqual([])
  })

  it('an old installation’s uninstall keeps the data of a newer active one', async () => {
    const accountId = newAccountId()
    const a = await installFor(store.db, accountId, { installedAt: hoursAgo(3) })
    const b = await installFor(store.db, accountId, { installedAt: hoursAgo(2) })
    await post(store.db, parseEnvelope(postingEvent({ account_id: accountId })))
    const result = await uninstall(
      store.db,
      uninstallEvent({
        account_id: accountId,
        data: { delete_related_data: true, installation_id: a },
      }),
    )
    expect(result.details).toMatchObject({ relatedDataDeleted: false, accountStillInstalled: true })
    expect(await publications(accountId)).toEqual([b])
  })
})

it('a reinstall during a slow cleanup waits for it and keeps its rows', async () => {
  const accountId = newAccountId()
  const a = await installFor(store.db, accountId, { installedAt: hoursAgo(3) })
  await post(store.db, parseEnvelope(postingEvent({ account_id: accountId })))
  expect(await publications(accountId)).toEqual([a])

  let cleanupStarted!: () => void
  const started = new Promise<void>((resolve) => (cleanupStarted = resolve))
  let finishCleanup!: () => void
  const release = new Promise<void>((resolve) => (finishCleanup = resolve))
  const slowCleanup: Hooks['deleteRelatedData'] = async (tx, context) => {
    cleanupStarted()
    await release
    return defaultHooks.deleteRelatedData(tx, context)
  }
  const uninstalling = uninstall(
    store.db,
    uninstallEvent({
      account_id: accountId,
      data: { delete_related_data: true, installation_id: a },
    }),
    { deleteRelatedData: slowCleanup },
  )
  await started

  // From another process: the account is installed again and a posting for it arrives.
  const b = randomUUID()
  let reinstalled = false
  const reinstall = (async () => {
    await addInstallation(other, { installationId: b, accountId, accessToken: 'tb' }, TEST_TOKENS)
    reinstalled = true
    await post(other, parseEnvelope(postingEvent({ account_id: accountId })))
  })()
  let reinstalledDuringCleanup: boolean
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    reinstalledDuringCleanup = reinstalled
  } finally {
    finishCleanup()
  }
  expect((await uninstalling).details).toMatchObject({ relatedDataDeleted: true })
  await reinstall
  expect((await getInstallation(store.db, b))?.status).toBe('active')
  expect(await publications(accountId)).toEqual([b])
  // The reinstall waited for the cleanup rather than slipping in under it.
  expect(reinstalledDuringCleanup).toBe(false)
}, 30_000)
