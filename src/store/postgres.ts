import { Pool, type PoolClient } from 'pg'
import type { Database, Queryable } from './database'

export function openPostgres(connectionString: string): Database {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 5000 })
  // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect()
      // A checked-out client that loses its server (a crash, a restart) emits 'error' besides
      // failing its query; unheard, that event would crash the worker. The query's rejection
      // is what we act on.
      client.on('error', ignore)
      try {
        await client.query('BEGIN')
        const result = await fn(wrap(client))
        await client.query('COMMIT')
        client.off('error', ignore)
        client.release()
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        // A client that failed mid-transaction may be broken: destroy it rather than reuse it.
        client.off('error', ignore)
        client.release(true)
        throw error
      }
    },
    close: () => pool.end(),
  }
}

function ignore(): void {}

function wrap(target: Pool | PoolClient): Queryable {
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const { rows } = await target.query(sql, params)
      return { rows: rows as R[] }
    },
    exec: async (sql) => {
      await target.query(sql)
    },
  }
}
