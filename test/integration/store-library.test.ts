// `scompler-webhooks/store`: what an app's own code calls (its install callback, a token Scompler
// refused), and the CLI built on the same functions, against real PostgreSQL.
import { randomUUID } from 'node:crypto'
import {
  InstallationRefusedError,
  markTokenRejected,
  openStore,
  recordInstallation,
  type Store,
} from '../../src/lib/store'
import { getInstallation, removeInstallation } from '../../src/store/installations'
import { runCli } from '../helpers/cli'
import { createEmptyDatabase } from '../helpers/database'
import { useEmbeddedStore } from '../helpers/embedded-store'
import { newAccountId } from '../helpers/events'
import { TEST_TOKEN_KEY, TEST_TOKENS } from '../helpers/tokens'

let database: { url: string; drop: () => Promise<void> }
let store: Store
beforeAll(async () => {
  database = await createEmptyDatabase()
  store = await openStore({ databaseUrl: database.url, tokenEncryptionKey: TEST_TOKEN_KEY })
})
afterAll(async () => {
  await store?.close()
  await database?.drop()
})

async function storedToken(installationId: string) {
  const { rows } = await store.db.query<{ token: string | null }>(
    'SELECT access_token AS token FROM installations WHERE installation_id = $1',
    [installationId],
  )
  return rows[0]?.token
}

describe('openStore', () => {
  it('migrates on open, and opening a migrated database again changes nothing', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: database.url })))
    await Promise.all(others.map((other) => other.close()))
    const { rows } = await store.db.query<{ version: string }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    )
    expect(rows.map((row) => row.version)).toContain('005_token_rejected.sql')
    expect(new Set(rows.map((row) => row.version)).size).toBe(rows.length)
  })

  it('refuses a key that is not 32 bytes, naming the option but not the value', async () => {
    const opening = openStore({ databaseUrl: database.url, tokenEncryptionKey: 'short-secret' })
    await expect(opening).rejects.toThrow(/^tokenEncryptionKey must be 32 bytes/)
    await expect(opening).rejects.not.toThrow(/short-secret/)
    await expect(
      openStore({ databaseUrl: database.url, tokenEncryptionKeyPrevious: TEST_TOKEN_KEY }),
    ).rejects.toThrow('tokenEncryptionKeyPrevious needs tokenEncryptionKey')
    await expect(openStore({ databaseUrl: database.url, poolSize: 0 })).rejects.toThrow(
      'poolSize must be a positive integer',
    )
  })
})

describe('recordInstallation', () => {
  it('adds, then replaces the token of an active installation, encrypted', async () => {
    const input = { installationId: randomUUID(), accountId: newAccountId(), accessToken: 't1' }
    expect(await recordInstallation(store, input)).toBe('added')
    expect(await recordInstallation(store, { ...input, accessToken: 't2' })).toBe('updated')
    const token = await storedToken(input.installationId)
    expect(token).toMatch(/^enc:v1:/)
    expect(TEST_TOKENS.decrypt(token!, input.installationId)).toBe('t2')
  })

  it('refuses an uninstalled installation and one of another account', async () => {
    const input = { installationId: randomUUID(), accountId: newAccountId(), accessToken: 't' }
    await recordInstallation(store, input)
    await expect(
      recordInstallation(store, { ...input, accountId: newAccountId() }),
    ).rejects.toBeInstanceOf(InstallationRefusedError)
    await removeInstallation(store.db, input.installationId)
    await expect(recordInstallation(store, input)).rejects.toBeInstanceOf(InstallationRefusedError)
  })

  it('names the field of bad input, never the token', async () => {
    const bad = { installationId: 'nope', accountId: 'x', accessToken: 'secret-token' }
    const recording = recordInstallation(store, bad)
    await expect(recording).rejects.toThrow(TypeError)
    await expect(recording).rejects.toThrow(/input\.installationId: must be a UUID/)
    await expect(recording).rejects.not.toThrow(/secret-token/)
  })
})

describe('markTokenRejected', () => {
  it('drops the token and keeps the time, until a new token is recorded', async () => {
    const input = { installationId: randomUUID(), accountId: newAccountId(), accessToken: 't' }
    await recordInstallation(store, input)
    expect(await markTokenRejected(store, input.installationId)).toBe(true)
    expect(await storedToken(input.installationId)).toBeNull()
    const rejected = await getInstallation(store.db, input.installationId)
    expect(rejected).toMatchObject({ status: 'active', hasToken: false })
    expect(rejected?.tokenRejectedAt).toBeInstanceOf(Date)

    expect(await recordInstallation(store, { ...input, accessToken: 'fresh' })).toBe('updated')
    expect(await getInstallation(store.db, input.installationId)).toMatchObject({
      hasToken: true,
      tokenRejectedAt: null,
    })
  })

  it('answers false for an unknown or uninstalled installation', async () => {
    expect(await markTokenRejected(store, randomUUID())).toBe(false)
    const input = { installationId: randomUUID(), accountId: newAccountId(), accessToken: 't' }
    await recordInstallation(store, input)
    await removeInstallation(store.db, input.installationId)
    expect(await markTokenRejected(store, input.installationId)).toBe(false)
    await expect(markTokenRejected(store, 'nope')).rejects.toThrow(TypeError)
  })
})

describe('installations reject-token (CLI)', () => {
  it('marks the token rejected over PostgreSQL; list shows it; unknown ids exit 3', async () => {
    const env = { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY }
    const accountId = newAccountId()
    const id = randomUUID()
    await runCli(['installations', 'add', '--account-id', accountId, '--installation-id', id], env)
    const rejected = await runCli(['installations', 'reject-token', id], env)
    expect(rejected.stderr).toBe('')
    expect(rejected.stdout).toContain(`token rejected: installation ${id}`)
    const listed = await runCli(['installations', 'list', '--account-id', accountId], env)
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+${accountId}\\s+active\\s+rejected`))
    const unknown = await runCli(['installations', 'reject-token', randomUUID()], env)
    expect(unknown.code).toBe(3)
    const bad = await runCli(['installations', 'reject-token', 'nope'], env)
    expect(bad.code).toBe(2)
  }, 120_000)

  describe('while npm start holds the embedded store', () => {
    const embedded = useEmbeddedStore('store-library')

    it('adds and rejects through the admin socket', async () => {
      const { db, dataDir } = embedded()
      const env = { DATA_DIR: dataDir }
      const accountId = newAccountId()
      const id = randomUUID()
      const added = await runCli(
        ['installations', 'add', '--account-id', accountId, '--installation-id', id],
        env,
      )
      expect(added.stderr).toBe('')
      expect((await runCli(['installations', 'reject-token', id], env)).code).toBe(0)
      expect(await getInstallation(db, id)).toMatchObject({ status: 'active', hasToken: false })
      expect((await runCli(['installations', 'reject-token', randomUUID()], env)).code).toBe(3)
    }, 120_000)
  })
})
