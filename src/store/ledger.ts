// The processed-events ledger: each run claims its event id; the last side effect completes it in
// the same transaction. Dedup thus outlives Temporal's retention of the workflow history.
import type { EventResult } from '../domain'
import type { Queryable } from './database'

export type LedgerEntry =
  { status: 'claimed'; runId: string } | { status: 'completed'; runId: string; result: EventResult }

export interface ClaimInput {
  eventId: string
  event: string
  accountId: string
  runId: string
}

/**
 * Claims the event for `runId`, taking over any claim of an earlier (failed) run. A completed
 * event is never claimed again: its entry is returned instead.
 */
export async function claimEvent(db: Queryable, input: ClaimInput): Promise<LedgerEntry> {
  const { rows } = await db.query<{ runId: string }>(
    `INSERT INTO processed_events (event_id, event, account_id, status, run_id)
     VALUES ($1, $2, $3, 'claimed', $4)
     ON CONFLICT (event_id) DO UPDATE SET run_id = EXCLUDED.run_id, claimed_at = now()
       WHERE processed_events.status = 'claimed'
     RETURNING run_id AS "runId"`,
    [input.eventId, input.event, input.accountId, input.runId],
  )
  if (rows[0] !== undefined) return { status: 'claimed', runId: rows[0].runId }
  const entry = await getLedgerEntry(db, input.eventId)
  if (entry === undefined) throw new Error(`ledger entry for ${input.eventId} vanished`)
  return entry
}

export async function getLedgerEntry(
  db: Queryable,
  eventId: string,
): Promise<LedgerEntry | undefined> {
  return readEntry(db, eventId, '')
}

/** Reads and locks the entry until the transaction ends. */
export async function lockLedgerEntry(
  tx: Queryable,
  eventId: string,
): Promise<LedgerEntry | undefined> {
  return readEntry(tx, eventId, 'FOR UPDATE')
}

export async function completeEvent(tx: Queryable, result: EventResult): Promise<void> {
  await tx.query(
    `UPDATE processed_events SET status = 'completed', completed_at = now(), result = $2::jsonb
     WHERE event_id = $1`,
    [result.eventId, JSON.stringify(result)],
  )
}

/** Entries completed before `before` may go once Temporal no longer needs them (WEBHOOK_MAX_AGE). */
export async function pruneLedger(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `WITH pruned AS (DELETE FROM processed_events
       WHERE status = 'completed' AND completed_at < $1::timestamptz RETURNING 1)
     SELECT count(*)::int AS count FROM pruned`,
    [before.toISOString()],
  )
  return rows[0]?.count ?? 0
}

async function readEntry(
  db: Queryable,
  eventId: string,
  lock: '' | 'FOR UPDATE',
): Promise<LedgerEntry | undefined> {
  const { rows } = await db.query<{
    status: 'claimed' | 'completed'
    runId: string
    result: EventResult | null
  }>(`SELECT status, run_id AS "runId", result FROM processed_events WHERE event_id = $1 ${lock}`, [
    eventId,
  ])
  const row = rows[0]
  if (row === undefined) return undefined
  return row.status === 'completed' && row.result
    ? { status: 'completed', runId: row.runId, result: row.result }
    : { status: 'claimed', runId: row.runId }
}
