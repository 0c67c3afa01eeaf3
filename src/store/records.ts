import type { PostingSentToPublishData, ScomplerEvent } from '../domain'
import type { Queryable } from './database'

export async function insertPostingPublication(
  tx: Queryable,
  event: ScomplerEvent,
  posting: PostingSentToPublishData,
  installationId: string,
): Promise<boolean> {
  const { rows } = await tx.query(
    `INSERT INTO posting_publications
       (event_id, account_id, installation_id, posting_id, service_id, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
     ON CONFLICT (event_id) DO NOTHING RETURNING 1`,
    [
      event.id,
      event.accountId,
      installationId,
      posting.postingId,
      posting.serviceId,
      event.occurredAt,
    ],
  )
  return rows.length > 0
}

export async function deletePostingPublications(tx: Queryable, accountId: string): Promise<number> {
  const { rows } = await tx.query(
    'DELETE FROM posting_publications WHERE account_id = $1 RETURNING 1',
    [accountId],
  )
  return rows.length
}

/**
 * Keeps the event's data as JSON text (a `json` column, not `jsonb`): JSON.stringify escapes NUL
 * characters and unpaired surrogates, which jsonb refuses and json keeps as they are, so the row
 * parses back to exactly the data that was accepted.
 */
export async function insertUnhandledEvent(tx: Queryable, event: ScomplerEvent): Promise<boolean> {
  const { rows } = await tx.query(
    `INSERT INTO unhandled_events (event_id, event, account_id, data, occurred_at)
     VALUES ($1, $2, $3, $4::json, $5::timestamptz) ON CONFLICT (event_id) DO NOTHING RETURNING 1`,
    [event.id, event.event, event.accountId, JSON.stringify(event.data), event.occurredAt],
  )
  return rows.length > 0
}

export interface UnhandledEvent {
  eventId: string
  event: string
  accountId: string
  data: Record<string, unknown>
  occurredAt: Date
  recordedAt: Date
}

export interface UnhandledEventFilter {
  event?: string
  accountId?: string
  /** Recorded at or after. */
  since?: Date
  limit: number
}

/** Recorded events of types with no workflow or handler, newest first. */
export async function listUnhandledEvents(
  db: Queryable,
  filter: UnhandledEventFilter,
): Promise<UnhandledEvent[]> {
  const { rows } = await db.query<Omit<UnhandledEvent, 'data'> & { data: unknown }>(
    `SELECT event_id AS "eventId", event, account_id AS "accountId", data,
       occurred_at AS "occurredAt", recorded_at AS "recordedAt"
     FROM unhandled_events
     WHERE ($1::text IS NULL OR event = $1) AND ($2::text IS NULL OR account_id = $2)
       AND ($3::timestamptz IS NULL OR recorded_at >= $3::timestamptz)
     ORDER BY recorded_at DESC, event_id LIMIT $4`,
    [
      filter.event ?? null,
      filter.accountId ?? null,
      filter.since?.toISOString() ?? null,
      filter.limit,
    ],
  )
  // Drivers parse json columns; parse here in case one hands back the text.
  return rows.map((row) => ({
    ...row,
    data: (typeof row.data === 'string'
      ? JSON.parse(row.data)
      : row.data) as UnhandledEvent['data'],
  }))
}
