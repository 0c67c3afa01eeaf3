import { ApplicationFailure, Context } from '@temporalio/activity'
import {
  FAILURE,
  handOverId,
  isKnownEvent,
  type EventResult,
  type HandlerPlan,
  type ScomplerEvent,
} from '../src/domain'
import { parseEventData, type EventData } from '../src/events'
import type { Database, Queryable, TransactionOptions } from '../src/store/database'
import {
  claimEvent as claimInLedger,
  completeEvent,
  lockLedgerEntry,
  recordStepResult,
  type LedgerEntry,
} from '../src/store/ledger'

export interface RunInput {
  event: ScomplerEvent
  /** The workflow run that holds (or takes over) the event's claim. */
  runId: string
  /**
   * A handler runs after the store's step (the claim's plan said so): a completed step is
   * recorded on the ledger row, and the event completes only after the handler
   * (`completeHandledEvent`). Absent in every run without a handler, as in the recorded histories.
   */
  handled?: boolean
  /** The ledger entry, when not the event's own id (a hand-over's derived id). */
  ledgerId?: string
}

/** The handler registered for an event type, if any (the worker's registry). */
export type HandlerPlans = (event: string) => HandlerPlan | undefined

/**
 * `runId` names the run that holds the claim, the token the run's later store steps carry: a run
 * reset in the Web UI past its claim replays this result and so carries on with the claim of the
 * run it was reset from. Histories recorded before it existed have none (the run's own id then).
 */
export type ClaimResult =
  | { status: 'claimed'; runId?: string; handler?: HandlerPlan }
  | { status: 'completed'; result: EventResult }

export function createLedgerActivities(db: Database, handlers: HandlerPlans = () => undefined) {
  return {
    /**
     * First step of every run. A known event's `data` is validated here, before anything is
     * claimed: the sender was genuine, so a mismatch is ours to fix, and the run fails at once,
     * non-retryably, to be run again after the fix. The handler registered for the event (its
     * activity and options) is part of the result, so the run's history holds it: handlers
     * registered or changed later never alter a run in flight.
     */
    async claimEvent({ event, runId }: RunInput): Promise<ClaimResult> {
      if (isKnownEvent(event.event)) eventData(event, event.event)
      return claim(db, event.id, { event, runId }, handlers(event.event))
    },

    /**
     * First step of a hand-over: claims the event's derived id (`<event id>/handler`), so each
     * recorded event is handed over once. Fails non-retryably on a worker without its handler.
     */
    async claimHandOver({ event, runId }: RunInput): Promise<ClaimResult> {
      const handler = handlers(event.event)
      if (handler === undefined) {
        throw ApplicationFailure.create({
          message: `No handler for ${event.event} is registered on this worker`,
          type: FAILURE.noHandler,
          nonRetryable: true,
        })
      }
      return claim(db, handOverId(event.id), { event, runId }, handler)
    },

    /** After the handler succeeded: the event completes with its result. Idempotent. */
    async completeHandledEvent(input: RunInput & { result: EventResult }): Promise<EventResult> {
      return db.transaction(async (tx) => {
        const entry = await lockClaim(tx, input)
        if (entry.status === 'completed') return completedResult(entry, input.runId)
        await completeEvent(tx, input.result, input.ledgerId)
        return input.result
      }, transactionOptions(input.event))
    },
  }
}

/** Claims `ledgerId` for the run (or takes it over), unless the event is completed already. */
async function claim(
  db: Database,
  ledgerId: string,
  { event, runId }: RunInput,
  handler: HandlerPlan | undefined,
): Promise<ClaimResult> {
  const entry = await claimInLedger(db, {
    eventId: ledgerId,
    event: event.event,
    accountId: event.accountId,
    runId,
    payload: event,
  })
  if (entry.status === 'completed') {
    return { status: 'completed', result: asDuplicate(entry.result, entry.runId) }
  }
  return { status: 'claimed', runId: entry.runId, ...(handler && { handler }) }
}

/** Parses a known event's data, or fails the run non-retryably with the reason. */
export function eventData<K extends keyof EventData>(event: ScomplerEvent, name: K): EventData[K] {
  const parsed = parseEventData(name, event.data)
  if (!parsed.ok) {
    throw ApplicationFailure.create({
      message: `Invalid ${event.event} data: ${parsed.reason}`,
      type: FAILURE.invalidEventData,
      nonRetryable: true,
    })
  }
  return parsed.data
}

/**
 * Runs `work` and marks the event completed in one transaction, under the ledger row lock; for a
 * `handled` run, records the step's result instead (the event completes after its handler).
 * A retry after a commit whose answer was lost returns the stored result: exactly one effect.
 */
export async function completeOnce(
  db: Database,
  input: RunInput,
  work: (tx: Queryable) => Promise<EventResult>,
): Promise<EventResult> {
  return db.transaction(async (tx) => {
    const entry = await lockClaim(tx, input)
    if (entry.status === 'completed') return completedResult(entry, input.runId)
    // Applied already by an attempt or run whose handler has not succeeded yet: not again.
    if (entry.stepResult) {
      if (!input.handled) await completeEvent(tx, entry.stepResult)
      return entry.stepResult
    }
    const result = await work(tx)
    // A handler runs only after a completed step; a skipped event completes at once.
    if (input.handled && result.outcome === 'completed') await recordStepResult(tx, result)
    else await completeEvent(tx, result)
    return result
  }, transactionOptions(input.event))
}

/**
 * The account's transactions take turns in this process (one connection at most for an account
 * whose rows are locked); the activity heartbeats while it waits, so a cancellation reaches it,
 * and a cancelled attempt rolls back at once.
 */
function transactionOptions(event: ScomplerEvent): TransactionOptions {
  const activity = currentActivity()
  return {
    key: event.accountId,
    signal: activity?.cancellationSignal,
    onWait: activity && (() => activity.heartbeat()),
  }
}

/** Locks the event's ledger row; fails non-retryably unless the run still holds the claim. */
async function lockClaim(
  tx: Queryable,
  { event, runId, ledgerId = event.id }: RunInput,
): Promise<LedgerEntry> {
  const entry = await lockLedgerEntry(tx, ledgerId)
  if (entry?.status === 'completed') return entry
  if (entry?.runId !== runId) {
    // Another run has taken the event over; this attempt belongs to a run that was replaced.
    throw ApplicationFailure.create({
      message: `Event ${event.id} is claimed by run ${entry?.runId ?? '(none)'}, not ${runId}`,
      type: FAILURE.claimLost,
      nonRetryable: true,
    })
  }
  return entry
}

/** A retry after a commit whose answer was lost gets the stored result; another run, a duplicate. */
function completedResult(entry: LedgerEntry & { status: 'completed' }, runId: string) {
  return entry.runId === runId ? entry.result : asDuplicate(entry.result, entry.runId)
}

/** The running activity's context; none when called outside an activity (tests, the CLI). */
function currentActivity(): Context | undefined {
  try {
    return Context.current()
  } catch {
    return undefined
  }
}

function asDuplicate(result: EventResult, runId: string): EventResult {
  return {
    eventId: result.eventId,
    event: result.event,
    outcome: 'duplicate',
    reason: `already processed by run ${runId} (${result.outcome})`,
  }
}
