// The processed-events ledger: each run claims its event id; the last side effect completes it in
// the same transaction. Dedup thus outlives Temporal's retention of the workflow history.
import type { EventResult, ScomplerEvent } from '../domain'
import type { Queryable } from './database'

export type LedgerEntry =
  | {
      status: 'claimed'
      runId: string
      /** The normalised event, kept until it completes (none for claims older than 003). */
      payload?: ScomplerEvent
      /** The store's own step, applied already; the event waits for its handler (004). */
      stepResult?: EventResult
    }
  | { status: 'completed'; runId: string; result: EventResult }

export interface ClaimInput {
  eventId: string
  event: string
  accountId: string
  runId: string
  /** The normalised event, kept losslessly (a `json` column) until the event completes. */
  payload?: ScomplerEvent
}

/**
 * Claims the event for `runId`, taking over any claim of an earlier (failed) run. A completed
 * event is never claimed again: its entry is returned instead.
 */
export async function claimEvent(db: Queryable, input: ClaimInput): Promise<LedgerEntry> {
  const { rows } = await db.query<{ runId: string }>(
    `INSERT INTO processed_events (event_id, event, account_id, status, run_id, payload)
     VALUES ($1, $2, $3, 'claimed', $4, $5::json)
     ON CONFLICT (event_id) DO UPDATE SET run_id = EXCLUDED.run_id, claimed_at = now(),
       payload = coalesce(EXCLUDED.payload, processed_events.payload)
       WHERE processed_events.status = 'claimed'
     RETURNING run_id AS "runId"`,
    [
      input.eventId,
      input.event,
      input.accountId,
      input.runId,
      // JSON.stringify escapes NUL and lone surrogates, and json keeps the text as given.
      input.payload === undefined ? null : JSON.stringify(input.payload),
    ],
  )
  if (rows[0] !== undefined) {
    return {
      status: 'claimed',
      runId: rows[0].runId,
      ...(input.payload && { payload: input.payload }),
    }
  }
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

/** Completes the ledger entry `eventId` (the result's event, unless a derived id: hand-over). */
export async function completeEvent(
  tx: Queryable,
  result: EventResult,
  eventId = result.eventId,
): Promise<void> {
  await tx.query(
    `UPDATE processed_events
     SET status = 'completed', completed_at = now(), result = $2::jsonb, payload = NULL,
       step_result = NULL
     WHERE event_id = $1`,
    [eventId, JSON.stringify(result)],
  )
}

/** The store's own step is applied (in this transaction); the event now waits for its handler. */
export async function recordStepResult(tx: Queryable, result: EventResult): Promise<void> {
  await tx.query(`UPDATE processed_events SET step_result = $2::jsonb WHERE event_id = $1`, [
    result.eventId,
    JSON.stringify(result),
  ])
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
    payload: ScomplerEvent | string | null
    stepResult: EventResult | null
  }>(
    `SELECT status, run_id AS "runId", result, payload, step_result AS "stepResult"
     FROM processed_events
     WHERE event_id = $1 ${lock}`,
    [eventId],
  )
  const row = rows[0]
  if (row === undefined) return undefined
  if (row.status === 'completed' && row.result) {
    return { status: 'completed', runId: row.runId, result: row.result }
  }
  // Drivers parse json columns; parse here in case one hands back the text.
  const payload =
    typeof row.payload === 'string' ? (JSON.parse(row.payload) as ScomplerEvent) : row.payload
  return {
    status: 'claimed',
    runId: row.runId,
    ...(payload && { payload }),
    ...(row.stepResult && { stepResult: row.stepResult }),
  }
}
