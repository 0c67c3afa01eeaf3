import { Client as PgClient } from 'pg'
import type { Database } from '../../src/store/database'

/**
 * The real database, except that its next `failures` transactions are refused with the given
 * SQLSTATE, as PostgreSQL does while restarting (57P01) or on bad data (22P02).
 */
export function refuseTransactions(db: Database, failures: number, sqlstate: string) {
  let refused = 0
  const flaky: Database = {
    ...db,
    async transaction(fn) {
      if (refused < failures) {
        refused++
        throw Object.assign(new Error(`injected fault: SQLSTATE ${sqlstate}`), { code: sqlstate })
      }
      return db.transaction(fn)
    },
    close: async () => {},
  }
  return { db: flaky, refused: () => refused }
}

export interface LockWaiters {
  /** Resolves once at least `count` other sessions of the database wait for a lock. */
  waitFor(count: number, timeoutMs?: number): Promise<void>
  /** Resolves once no other session of the database waits for a lock. */
  waitForNone(timeoutMs?: number): Promise<void>
}

/**
 * Watches, through `session`, the sessions of its own database that wait for a lock. Only this
 * database's: other test files share the server, and hold and wait on locks of their own.
 */
export function lockWaiters(session: PgClient): LockWaiters {
  async function count(): Promise<number> {
    // Inside a transaction the view is a snapshot taken at first read, unless cleared.
    await session.query('SELECT pg_stat_clear_snapshot()')
    const { rows } = await session.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND pid <> pg_backend_pid()`,
    )
    return rows[0]!.n
  }
  async function waitUntil(done: (n: number) => boolean, expected: string, timeoutMs: number) {
    for (const deadline = Date.now() + timeoutMs; ;) {
      const n = await count()
      if (done(n)) return
      if (Date.now() > deadline) {
        const sessions = await session.query(
          `SELECT state, wait_event_type, wait_event, left(query, 80) AS query
           FROM pg_stat_activity WHERE datname = current_database()`,
        )
        throw new Error(
          `${n} sessions wait for a lock, expected ${expected}: ${JSON.stringify(sessions.rows)}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return {
    waitFor: (n, timeoutMs = 60_000) => waitUntil((waiting) => waiting >= n, `${n}`, timeoutMs),
    waitForNone: (timeoutMs = 60_000) => waitUntil((waiting) => waiting === 0, 'none', timeoutMs),
  }
}

export interface HeldInstallations {
  /** Resolves once `count` other sessions of the database wait for a lock. */
  waitForWaiters(count: number, timeoutMs?: number): Promise<void>
  /** Ends the holding transaction (rolled back); harmless when the server is gone already. */
  release(): Promise<void>
}

/**
 * Another session locks the accounts' installation rows and keeps its transaction open, as an
 * uninstall of theirs in progress would: a posting's store step for these accounts waits on that
 * lock inside its own transaction (holding the event's ledger row and the account's lock) until
 * `release()`, or until the store's lock timeout ends its wait.
 */
export async function holdInstallations(
  databaseUrl: string,
  accountIds: string[],
): Promise<HeldInstallations> {
  const session = new PgClient({ connectionString: databaseUrl })
  // The server may go away under it (a crash test): its rejected queries are what counts.
  session.on('error', () => {})
  await session.connect()
  await session.query('BEGIN')
  await session.query('SELECT 1 FROM installations WHERE account_id = ANY($1) FOR UPDATE', [
    accountIds,
  ])
  const waiters = lockWaiters(session)
  return {
    waitForWaiters: (count, timeoutMs) => waiters.waitFor(count, timeoutMs),
    async release() {
      await session.query('ROLLBACK').catch(() => {})
      await session.end().catch(() => {})
    },
  }
}
