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
