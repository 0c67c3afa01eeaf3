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
  return {
    async waitForWaiters(count, timeoutMs = 60_000) {
      for (const deadline = Date.now() + timeoutMs; ;) {
        // This database's sessions only: other test files share the server. Inside a transaction
        // the view is a snapshot taken at first read, unless cleared.
        await session.query('SELECT pg_stat_clear_snapshot()')
        const { rows } = await session.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND pid <> pg_backend_pid()`,
        )
        if (rows[0]!.n >= count) return
        if (Date.now() > deadline) {
          const sessions = await session.query(
            `SELECT state, wait_event_type, wait_event, left(query, 80) AS query
             FROM pg_stat_activity WHERE datname = current_database()`,
          )
          throw new Error(
            `${rows[0]!.n} of ${count} sessions wait for a lock: ${JSON.stringify(sessions.rows)}`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async release() {
      await session.query('ROLLBACK').catch(() => {})
      await session.end().catch(() => {})
    },
  }
}
