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
    // One session, so no other session can hold a lock; a cancelled transaction rolls back at its
    // next statement (a running statement cannot be interrupted in the single-threaded engine).
    transaction: (fn, options = {}) => {
      const { signal } = options
      signal?.throwIfAborted()
      return db.transaction(async (tx) => {
        const result = await fn(wrap(tx, signal))
        signal?.throwIfAborted()
        return result
      })
    },
    async close() {
      try {
        await db.close()
      } finally {
        lock.release()
      }
    },
  }
}

function wrap(target: PGlite | Transaction, signal?: AbortSignal): Queryable {
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      signal?.throwIfAborted()
      const { rows } = await target.query<R>(sql, params)
      return { rows }
    },
    exec: async (sql) => {
      signal?.throwIfAborted()
      await target.exec(sql)
    },
  }
}
