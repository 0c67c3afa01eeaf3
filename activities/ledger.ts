import { ApplicationFailure, Context } from '@temporalio/activity'
import { FAILURE, isKnownEvent, type EventResult, type ScomplerEvent } from '../src/domain'
import { parseEventData, type EventData } from '../src/events'
import type { Database, Queryable } from '../src/store/database'
import { claimEvent as claimInLedger, completeEvent, lockLedgerEntry } from '../src/store/ledger'

export interface RunInput {
  event: ScomplerEvent
  /** The workflow run that holds (or takes over) the event's claim. */
  runId: string
}

/**
 * `runId` names the run that holds the claim, the token the run's later store steps carry: a run
 * reset in the Web UI past its claim replays this result and so carries on with the claim of the
 * run it was reset from. Histories recorded before it existed have none (the run's own id then).
 */
export type ClaimResult =
  { status: 'claimed'; runId?: string } | { status: 'completed'; result: EventResult }

export function createLedgerActivities(db: Database) {
  return {
    /**
     * First step of every run. A known event's `data` is validated here, before anything is
     * claimed: the sender was genuine, so a mismatch is ours to fix, and the run fails at once,
     * non-retryably, to be run again after the fix.
     */
    async claimEvent({ event, runId }: RunInput): Promise<ClaimResult> {
      if (isKnownEvent(event.event)) eventData(event, event.event)
      const entry = await claimInLedger(db, {
        eventId: event.id,
        event: event.event,
        accountId: event.accountId,
        runId,
        payload: event,
      })
      return entry.status === 'completed'
        ? { status: 'completed', result: asDuplicate(entry.result, entry.runId) }
        : { status: 'claimed', runId: entry.runId }
    },
  }
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
 * Runs `work` and marks the event completed in one transaction, under the ledger row lock.
 * A retry after a commit whose answer was lost returns the stored result: exactly one effect.
 * The account's transactions take turns in this process (one connection at most for an account
 * whose rows are locked); the activity heartbeats while it waits, so a cancellation reaches it,
 * and a cancelled attempt rolls back at once.
 */
export async function completeOnce(
  db: Database,
  { event, runId }: RunInput,
  work: (tx: Queryable) => Promise<EventResult>,
): Promise<EventResult> {
  const activity = currentActivity()
  return db.transaction(
    async (tx) => {
      const entry = await lockLedgerEntry(tx, event.id)
      if (entry?.status === 'completed') {
        return entry.runId === runId ? entry.result : asDuplicate(entry.result, entry.runId)
      }
      if (entry?.runId !== runId) {
        // Another run has taken the event over; this attempt belongs to a run that was replaced.
        throw ApplicationFailure.create({
          message: `Event ${event.id} is claimed by run ${entry?.runId ?? '(none)'}, not ${runId}`,
          type: FAILURE.claimLost,
          nonRetryable: true,
        })
      }
      const result = await work(tx)
      await completeEvent(tx, result)
      return result
    },
    {
      key: event.accountId,
      signal: activity?.cancellationSignal,
      onWait: activity && (() => activity.heartbeat()),
    },
  )
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
