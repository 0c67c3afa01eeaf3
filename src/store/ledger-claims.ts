// Claims that never completed, with the event kept in the ledger: after Temporal's retention has
// deleted a failed run's history, these are what is left to replay it from.
import type { ScomplerEvent } from '../domain'
import type { Queryable } from './database'

export interface UnfinishedClaim {
  eventId: string
  runId: string
  payload: ScomplerEvent
}

export interface ClaimFilter {
  event?: string
  accountId?: string
  /** Claimed at or after. */
  since?: Date
  /** Only event ids after this one (pages through in event id order). */
  after?: string
  limit: number
}

/** Claimed, never completed events that have a payload (claims older than 003 have none). */
export async function listUnfinishedClaims(
  db: Queryable,
  filter: ClaimFilter,
): Promise<UnfinishedClaim[]> {
  const { rows } = await db.query<{ eventId: string; runId: string; payload: unknown }>(
    `SELECT event_id AS "eventId", run_id AS "runId", payload FROM processed_events
     WHERE status = 'claimed' AND payload IS NOT NULL
       AND ($1::text IS NULL OR event = $1) AND ($2::text IS NULL OR account_id = $2)
       AND ($3::timestamptz IS NULL OR claimed_at >= $3::timestamptz)
       AND ($4::text IS NULL OR event_id > $4)
     ORDER BY event_id LIMIT $5`,
    [
      filter.event ?? null,
      filter.accountId ?? null,
      filter.since?.toISOString() ?? null,
      filter.after ?? null,
      filter.limit,
    ],
  )
  // Drivers parse json columns; parse here in case one hands back the text.
  return rows.map((row) => ({
    ...row,
    payload: (typeof row.payload === 'string'
      ? JSON.parse(row.payload)
      : row.payload) as ScomplerEvent,
  }))
}
