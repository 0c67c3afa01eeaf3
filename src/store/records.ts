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
