import { mkdirSync } from 'node:fs'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import type { Database, Queryable } from './database'
import { acquireFileLock } from './file-lock'

/**
 * PGlite is a single-process database: a lock file keeps a second process from opening the same
 * directory (it would corrupt it) and makes it fail with a clear error instead.
 */
export const storeLockPath = (dataDir: string) => `${dataDir}.lock`

export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true })
  const lock = acquireFileLock(storeLockPath(dataDir), 'the embedded store')
  let db: PGlite
  try {
    db = await PGlite.create(dataDir)
  } catch (error) {
    lock.release()
    throw error
  }
  return {
    kind: 'pglite',
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      try {
        await db.close()
      } finally {
        lock.release()
      }
    },
  }
}

function wrap(target: PGlite | Transaction): Queryable {
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const { rows } = await target.query<R>(sql, params)
      return { rows }
    },
    exec: async (sql) => {
      await target.exec(sql)
    },
  }
}
