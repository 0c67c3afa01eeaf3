// The embedded store (PGlite, in this process): the same cases as on PostgreSQL, and its lock.
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../../src/store/database'
import { LockedError } from '../../src/store/file-lock'
import { describeStoreContract } from '../helpers/store-contract'

describeStoreContract('pglite', async () => {
  const db = await openDatabase({
    databaseUrl: undefined,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'pglite-')),
  })
  return { db, close: () => db.close() }
})

describe('the embedded store', () => {
  it('refuses a second opener with a clear error instead of corrupting the store', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pglite-lock-'))
    const first = await openDatabase({ databaseUrl: undefined, dataDir })
    try {
      await expect(openDatabase({ databaseUrl: undefined, dataDir })).rejects.toThrow(LockedError)
      await expect(openDatabase({ databaseUrl: undefined, dataDir })).rejects.toThrow(
        /already open in process \d+/,
      )
    } finally {
      await first.close()
    }
    const reopened = await openDatabase({ databaseUrl: undefined, dataDir })
    await reopened.close()
  })

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pglite-stale-'))
    writeFileSync(path.join(dataDir, 'store.lock'), '999999999')
    const db = await openDatabase({ databaseUrl: undefined, dataDir })
    await db.close()
  })
})
