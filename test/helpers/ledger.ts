import type { Queryable } from '../../src/store/database'

/** How many of these events the ledger has completed, and how many rows a table holds for them. */
export async function effectsOf(
  db: Queryable,
  eventIds: string[],
  table: 'posting_publications' | 'unhandled_events',
): Promise<{ completed: number; rows: number }> {
  const count = async (sql: string) =>
    (await db.query<{ n: number }>(sql, [eventIds])).rows[0]?.n ?? 0
  return {
    completed: await count(
      `SELECT count(*)::int AS n FROM processed_events
       WHERE event_id = ANY($1) AND status = 'completed'`,
    ),
    rows: await count(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = ANY($1)`),
  }
}
