// `installations remove` (by hand) takes the account's lock, like uninstall, installation add and
// posting handling: it waits while another session holds the account, and completes after.
import { Client as PgClient } from 'pg'
import { removeInstallation, getInstallation } from '../../src/store/installations'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { newAccountId } from '../helpers/events'
import { installFor } from '../helpers/installations'

let database: TestDatabase
beforeAll(async () => (database = await createTestDatabase()))
afterAll(() => database.drop())

/** Another session holding the account's lock (the key lockAccount takes) until released. */
async function holdAccount(accountId: string) {
  const session = new PgClient({ connectionString: database.url })
  await session.connect()
  await session.query(`SELECT pg_advisory_lock(hashtextextended('scompler-account:' || $1, 0))`, [
    accountId,
  ])
  return async () => {
    await session.query('SELECT pg_advisory_unlock_all()')
    await session.end()
  }
}

it("waits for the account's lock, then removes", async () => {
  const accountId = newAccountId()
  const installationId = await installFor(database.db, accountId)
  const release = await holdAccount(accountId)
  let settled = false
  let removing: Promise<unknown> | undefined
  try {
    removing = removeInstallation(database.db, installationId).finally(() => (settled = true))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(settled).toBe(false)
    expect((await getInstallation(database.db, installationId))?.status).toBe('active')
  } finally {
    await release()
  }
  expect(await removing).toBe('removed')
  expect(await getInstallation(database.db, installationId)).toMatchObject({
    status: 'uninstalled',
    hasToken: false,
  })
})

it('answers undefined for an installation it does not know, without waiting', async () => {
  expect(await removeInstallation(database.db, '6f9619ff-8b86-d011-b42d-00c04fc964ff')).toBe(
    undefined,
  )
})
