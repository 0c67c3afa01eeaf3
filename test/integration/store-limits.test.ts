// Every PostgreSQL connection of the store carries statement, lock and idle-in-transaction
// timeouts and TCP keepalive; a transaction that times out or is cancelled rolls back and gives its
// connection back; nobody waits for a connection longer than the acquire timeout. A real
// PostgreSQL, a database of this file's own, and a second session holding locks.
import { execFileSync } from 'node:child_process'
import { Client as PgClient } from 'pg'
import { openDatabase, type Database, type StoreLimits } from '../../src/store/database'
import { StoreBusyError } from '../../src/store/limiter'
import { createEmptyDatabase } from '../helpers/database'

let url: string
let drop: () => Promise<void>
let holder: PgClient

beforeAll(async () => {
  ;({ url, drop } = await createEmptyDatabase())
  const setup = await openDatabase({ databaseUrl: url, dataDir: '' })
  await setup.exec('CREATE TABLE things (id int PRIMARY KEY, note text)')
  await setup.exec("INSERT INTO things VALUES (1, 'a'), (2, 'b')")
  await setup.close()
  holder = new PgClient({ connectionString: url })
  await holder.connect()
}, 60_000)
afterAll(async () => {
  await holder?.end()
  await drop?.()
})

const LIMITS: StoreLimits = {
  poolSize: 1,
  acquireTimeoutMs: 1500,
  statementTimeoutMs: 3000,
  lockTimeoutMs: 1200,
  idleInTransactionTimeoutMs: 1000,
}

async function withStore(limits: Partial<StoreLimits>, test: (db: Database) => Promise<void>) {
  const db = await openDatabase({ databaseUrl: url, dataDir: '', storeLimits: limits })
  try {
    await test(db)
  } finally {
    await db.close()
  }
}

/** Holds row 1's lock from another session while `test` runs. */
async function whileRowLocked(test: () => Promise<void>) {
  await holder.query('BEGIN')
  await holder.query('SELECT 1 FROM things WHERE id = 1 FOR UPDATE')
  try {
    await test()
  } finally {
    await holder.query('ROLLBACK')
  }
}

const lockRow = (db: Database, options = {}) =>
  db.transaction(async (tx) => {
    await tx.query("UPDATE things SET note = 'changed' WHERE id = 1")
  }, options)

async function note(id: number): Promise<string> {
  const { rows } = await holder.query<{ note: string }>('SELECT note FROM things WHERE id = $1', [
    id,
  ])
  return rows[0]!.note
}

async function elapsed(fn: () => Promise<unknown>): Promise<{ ms: number; error?: unknown }> {
  const started = Date.now()
  try {
    await fn()
    return { ms: Date.now() - started }
  } catch (error) {
    return { ms: Date.now() - started, error }
  }
}

it('sets the timeouts on every connection, as startup parameters, inside transactions too', async () => {
  await withStore({ ...LIMITS, poolSize: 3 }, async (db) => {
    const show = `SELECT current_setting('statement_timeout') AS statement,
      current_setting('lock_timeout') AS lock,
      current_setting('idle_in_transaction_session_timeout') AS idle`
    const expected = { statement: '3s', lock: '1200ms', idle: '1s' }
    const inTransactions = await Promise.all(
      [1, 2, 3].map(() =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query(show)
          await new Promise((resolve) => setTimeout(resolve, 200))
          return rows[0]
        }),
      ),
    )
    expect(inTransactions).toEqual([expected, expected, expected])
    expect((await db.query(show)).rows).toEqual([expected])
    // Startup parameters, not a SET: the server reports them as the session's own defaults.
    const { rows } = await db.query<{ source: string }>(
      "SELECT source FROM pg_settings WHERE name IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout')",
    )
    expect(rows.map((row) => row.source)).toEqual(['client', 'client', 'client'])
  })
})

it('turns TCP keepalive on for its connections', async () => {
  await withStore(LIMITS, async (db) => {
    const { rows } = await db.query<{ port: number }>('SELECT inet_client_port() AS port')
    const port = rows[0]!.port
    const sockets = execFileSync('ss', ['-tno', 'state', 'established', `( sport = :${port} )`])
      .toString()
      .trim()
    expect(sockets).toContain(`:${port}`)
    expect(sockets).toMatch(/timer:\(keepalive,/)
  })
})

it('gives up a lock wait after the lock timeout, rolls back and frees the connection', async () => {
  await withStore(LIMITS, async (db) => {
    await whileRowLocked(async () => {
      const { ms, error } = await elapsed(() => lockRow(db))
      expect(error).toMatchObject({ code: '55P03' })
      expect(ms).toBeLessThan(LIMITS.lockTimeoutMs + 2000)
      // The only connection is free again.
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    })
    expect(await note(1)).toBe('a')
  })
})

it('rolls back a cancelled transaction and frees its connection at once', async () => {
  await withStore({ ...LIMITS, lockTimeoutMs: 20_000, statementTimeoutMs: 30_000 }, async (db) => {
    await whileRowLocked(async () => {
      const controller = new AbortController()
      const attempt = elapsed(() => lockRow(db, { signal: controller.signal }))
      await new Promise((resolve) => setTimeout(resolve, 500))
      const cancelledAt = Date.now()
      controller.abort(new Error('activity cancelled'))
      const { error } = await attempt
      expect(error).toMatchObject({ message: 'activity cancelled' })
      expect(Date.now() - cancelledAt).toBeLessThan(500)
      // The pool's only connection is usable at once, not after the 20 s lock timeout.
      const next = await elapsed(() => db.query('SELECT 1'))
      expect(next.error).toBeUndefined()
      expect(next.ms).toBeLessThan(2000)
    })
    // Released: the cancelled change was never committed.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await note(1)).toBe('a')
  })
})

it('ends a transaction left idle past the idle-in-transaction timeout, and recovers', async () => {
  await withStore(LIMITS, async (db) => {
    const { error } = await elapsed(() =>
      db.transaction(async (tx) => {
        await tx.query("UPDATE things SET note = 'idle' WHERE id = 2")
        // Waiting on something else while the transaction stays open.
        await new Promise((resolve) =>
          setTimeout(resolve, LIMITS.idleInTransactionTimeoutMs + 1500),
        )
        await tx.query('SELECT 1')
      }),
    )
    expect(error).toBeDefined()
    expect(await note(2)).toBe('b')
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })
})

it('never waits for a connection longer than the acquire timeout', async () => {
  await withStore({ ...LIMITS, lockTimeoutMs: 10_000, statementTimeoutMs: 15_000 }, async (db) => {
    await whileRowLocked(async () => {
      const blocked = lockRow(db).catch((error: unknown) => error)
      await new Promise((resolve) => setTimeout(resolve, 300))
      const { ms, error } = await elapsed(() => db.transaction((tx) => tx.query('SELECT 1')))
      expect(error).toBeInstanceOf(StoreBusyError)
      expect(ms).toBeGreaterThanOrEqual(LIMITS.acquireTimeoutMs - 50)
      expect(ms).toBeLessThan(LIMITS.acquireTimeoutMs + 1500)
      await holder.query('ROLLBACK')
      await holder.query('BEGIN')
      expect(await blocked).toBeUndefined()
    })
  })
})

it("lets one key's waiting work hold one connection, and other keys pass", async () => {
  await withStore({ ...LIMITS, poolSize: 2, lockTimeoutMs: 10_000 }, async (db) => {
    await whileRowLocked(async () => {
      // Five transactions of one account, all needing the locked row: one holds a connection.
      const waiting = Array.from({ length: 5 }, () =>
        lockRow(db, { key: 'account-1' }).catch((error: unknown) => error),
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      const other = await elapsed(() =>
        db.transaction((tx) => tx.query("UPDATE things SET note = 'other' WHERE id = 2"), {
          key: 'account-2',
        }),
      )
      expect(other.error).toBeUndefined()
      expect(other.ms).toBeLessThan(1000)
      await holder.query('ROLLBACK')
      await holder.query('BEGIN')
      const outcomes = await Promise.all(waiting)
      // The first got the row after the release; the others waited their turn within the bound
      // or gave up retryably.
      expect(outcomes[0]).toBeUndefined()
      for (const outcome of outcomes) {
        if (outcome !== undefined) expect(outcome).toBeInstanceOf(StoreBusyError)
      }
    })
  })
})
