// Events recorded by unhandledEvent (no handler then), for a hand-over to a handler registered
// since (`events hand-over`). Those already handed over (their `<id>/handler` ledger entry is
// completed) are left out.
import { handOverId, type ScomplerEvent } from '../domain'
import type { Queryable } from './database'

export interface RecordedEventFilter {
  event: string
  /** Recorded at or after. */
  since?: Date
  limit: number
}

export async function listRecordedEvents(
  db: Queryable,
  { event, since, limit }: RecordedEventFilter,
): Promise<ScomplerEvent[]> {
  const { rows } = await db.query<{
    id: string
    accountId: string
    data: string
    occurredAt: Date
  }>(
    // data as text, parsed here: the json column keeps what jsonb would refuse (002).
    `SELECT u.event_id AS id, u.account_id AS "accountId", u.data::text AS data,
       u.occurred_at AS "occurredAt"
     FROM unhandled_events u
     LEFT JOIN processed_events p ON p.event_id = u.event_id || $4
     WHERE u.event = $1 AND u.recorded_at >= $2::timestamptz
       AND p.status IS DISTINCT FROM 'completed'
     ORDER BY u.recorded_at, u.event_id
     LIMIT $3`,
    [event, (since ?? new Date(0)).toISOString(), limit, handOverId('')],
  )
  return rows.map((row) => ({
    id: row.id,
    event,
    accountId: row.accountId,
    data: JSON.parse(row.data) as Record<string, unknown>,
    occurredAt: new Date(row.occurredAt).toISOString(),
  }))
}
