import type { Socket } from 'node:net'
import { Pool, type PoolClient } from 'pg'
import type { Database, Queryable, StoreLimits, TransactionOptions } from './database'
import { abortReason, KeyedGate, Semaphore } from './limiter'

/**
 * PostgreSQL through a pool whose every connection carries the store's timeouts as startup
 * parameters (statement, lock, idle in transaction) and TCP keepalive, so no session waits
 * forever. Store work in flight is bounded by a semaphore sized to the pool: it waits for a slot at
 * most `acquireTimeoutMs`, and work under one key (an account) waits for its turn without holding
 * a connection, so one account's locked rows take at most one connection of this process.
 */
export function openPostgres(connectionString: string, limits: StoreLimits): Database {
  const pool = new Pool({
    connectionString,
    max: limits.poolSize,
    connectionTimeoutMillis: limits.acquireTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    // A server gone without a word (a dead host, a dropped NAT entry) is noticed by TCP.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  })
  // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  const slots = new Semaphore(limits.poolSize)
  const accounts = new KeyedGate()
  const slot = (options: TransactionOptions) =>
    slots.acquire({
      timeoutMs: limits.acquireTimeoutMs,
      signal: options.signal,
      onWait: options.onWait,
      what: 'waiting for a store connection',
    })

  return {
    kind: 'postgres',
    async query<R>(sql: string, params?: unknown[]) {
      const release = await slot({})
      try {
        const { rows } = await pool.query(sql, params)
        return { rows: rows as R[] }
      } finally {
        release()
      }
    },
    async exec(sql) {
      const release = await slot({})
      try {
        await pool.query(sql)
      } finally {
        release()
      }
    },
    async transaction(fn, options = {}) {
      const releaseKey =
        options.key === undefined
          ? () => {}
          : await accounts.acquire(options.key, {
              timeoutMs: limits.acquireTimeoutMs,
              signal: options.signal,
              onWait: options.onWait,
              what: 'waiting for the earlier store work of the same account',
            })
      try {
        const releaseSlot = await slot(options)
        try {
          return await runTransaction(pool, fn, options)
        } finally {
          releaseSlot()
        }
      } finally {
        releaseKey()
      }
    },
    close: () => pool.end(),
  }
}

async function runTransaction<T>(
  pool: Pool,
  fn: (tx: Queryable) => Promise<T>,
  { signal, onWait }: TransactionOptions,
): Promise<T> {
  const client = await pool.connect()
  // A checked-out client that loses its server (a crash, a restart) emits 'error' besides
  // failing its query; unheard, that event would crash the worker. The query's rejection
  // is what we act on.
  client.on('error', ignore)
  let released = false
  const release = (destroy: boolean) => {
    if (released) return
    released = true
    client.off('error', ignore)
    client.release(destroy)
  }
  // Cancelled: cut the connection at once. The server rolls the transaction back (it never saw a
  // COMMIT) when it notices, at the latest when a lock or statement timeout ends its wait; the
  // pool's slot is free now.
  let onAbort = () => {}
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      destroySocket(client)
      release(true)
      reject(abortReason(signal))
    }
  })
  aborted.catch(() => {})
  signal?.addEventListener('abort', onAbort, { once: true })
  const ticker = onWait ? setInterval(onWait, 1000) : undefined
  const work = (async () => {
    await client.query('BEGIN')
    const result = await fn(wrap(client))
    signal?.throwIfAborted()
    await client.query('COMMIT')
    return result
  })()
  work.catch(() => {})
  try {
    const result = await Promise.race([work, aborted])
    release(false)
    return result
  } catch (error) {
    if (!released) {
      await client.query('ROLLBACK').catch(() => {})
      // A client that failed mid-transaction may be broken: destroy it rather than reuse it.
      release(true)
    }
    throw signal?.aborted ? signal.reason : error
  } finally {
    clearInterval(ticker)
    signal?.removeEventListener('abort', onAbort)
  }
}

function destroySocket(client: PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream
  stream?.destroy()
}

function ignore(): void {}

function wrap(target: PoolClient): Queryable {
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
