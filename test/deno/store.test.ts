// The store under Deno, on both drivers: migrations applied from a fresh start, then a write and
// a read, as an app backend on Deno would add installations from Scompler's install callback.
import { mkdtempSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createEmptyDatabase } from '../helpers/database'
import { runDenoScript } from '../helpers/deno'

const STORE_PERMISSIONS = [
  '--allow-read',
  '--allow-write',
  '--allow-env',
  '--allow-net',
  '--allow-sys',
]

async function openUnderDeno(env: Record<string, string>) {
  const out = await runDenoScript('test/deno/store-runner.ts', {
    permissions: STORE_PERMISSIONS,
    env,
  })
  return JSON.parse(out) as { kind: string; migrations: string[]; installation: unknown }
}

/** Every migration of the source tree, in order: a fresh store applies them all. */
const MIGRATIONS = readdirSync(path.join(__dirname, '../../src/store/migrations')).sort()

const expected = (kind: string) => ({
  kind,
  migrations: MIGRATIONS,
  installation: { accountId: '42', status: 'active', hasToken: true },
})

describe('the store under Deno', () => {
  it('migrates an empty PostgreSQL database and reads back what it wrote', async () => {
    const database = await createEmptyDatabase()
    try {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deno-store-'))
      const answer = await openUnderDeno({ DATABASE_URL: database.url, DATA_DIR: dataDir })
      expect(answer).toMatchObject(expected('postgres'))
    } finally {
      await database.drop()
    }
  })

  it('creates the embedded store (PGlite) and reads back what it wrote', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deno-store-'))
    expect(await openUnderDeno({ DATA_DIR: dataDir })).toMatchObject(expected('pglite'))
  })
})
