// `events replay <id>` and `events replay-failed`: run failed events again, same id, same
// recorded input. The id policy lets a failed, terminated, timed-out or cancelled event run again;
// `replay-failed` leaves cancelled ones alone (a cancel is a decision: an uninstall cancels its
// account's posting runs). The ledger still answers `duplicate` for an event that completed.
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client'
import { HAND_OVER_WORKFLOW, handOverId, workflowTypeFor, type ScomplerEvent } from '../domain'
import type { ClaimFilter, UnfinishedClaim } from '../store/ledger-claims'
import { workflowStartOptions } from '../temporal/start-event'
import { CliError, EXIT } from './cli-error'
import { runUrl, type CliContext } from './context'
import { describeLatest, visibilityQuery } from './events'
import { summarizeHistory } from './history'
import { print, table } from './output'
import { sinceDate } from './since'
import { openStoreAccess } from './store-access'

interface Replayed {
  eventId: string
  previousRunId: string
  previousStatus: string
  runId: string
  webUiUrl: string
  /** Where the input came from: the previous run's history, or the ledger (history gone). */
  from: 'history' | 'ledger'
}

export async function replayEvent(context: CliContext, client: Client, eventId: string) {
  const description = await describeLatest(client, eventId)
  const replayed = description
    ? await startAgain(context, client, description)
    : await startFromLedger(context, client, eventId)
  print(
    context,
    replayed,
    `replaying ${eventId} as run ${replayed.runId}${replayed.from === 'ledger' ? ' (input from the ledger)' : ''}\nWeb UI: ${replayed.webUiUrl}`,
  )
}

/**
 * Temporal no longer has a run of the event (past retention): the ledger keeps the normalised
 * event from its claim until it completes, so an event claimed but never completed runs again
 * with exactly what was accepted.
 */
async function startFromLedger(
  context: CliContext,
  client: Client,
  eventId: string,
): Promise<Replayed> {
  const store = await openStoreAccess(context.config)
  let entry
  try {
    entry = await store.ledgerEntry(eventId)
  } finally {
    await store.close()
  }
  if (entry?.status === 'completed') {
    throw new CliError(
      `event ${eventId} is completed (ledger): only a failed, terminated or timed-out event runs again`,
      EXIT.failed,
    )
  }
  if (!entry?.payload) {
    throw new CliError(
      entry
        ? `no run of event ${eventId} in Temporal (past retention), and its ledger claim predates kept payloads`
        : `no run of event ${eventId} in Temporal or the ledger (unknown, or past retention)`,
      EXIT.notFound,
    )
  }
  return startClaim(context, client, { eventId, runId: entry.runId, payload: entry.payload })
}

/**
 * The workflow that claimed ledger entry `ledgerId` for `event`: a hand-over's entry is
 * `<event id>/handler` (handOverEvent, under that workflow id); any other is the event's own.
 */
function workflowTypeOf(ledgerId: string, event: ScomplerEvent): string {
  if (ledgerId === handOverId(event.id)) return HAND_OVER_WORKFLOW
  if (ledgerId === event.id) return workflowTypeFor(event.event)
  throw new CliError(`ledger entry ${ledgerId} keeps another event (${event.id})`, EXIT.failed)
}

/** Starts a claimed, never completed event again from the payload its ledger entry keeps. */
async function startClaim(
  context: CliContext,
  client: Client,
  claim: UnfinishedClaim,
): Promise<Replayed> {
  const event = claim.payload
  const handle = await client.workflow.start(workflowTypeOf(claim.eventId, event), {
    ...startOptions(context, event, context.config.temporal.taskQueue),
    workflowId: claim.eventId,
  })
  return {
    eventId: claim.eventId,
    previousRunId: claim.runId,
    previousStatus: 'CLAIMED_IN_LEDGER',
    runId: handle.firstExecutionRunId,
    webUiUrl: runUrl(context, claim.eventId, handle.firstExecutionRunId),
    from: 'ledger',
  }
}

export interface ReplayFailedOptions {
  accountId?: string
  event?: string
  /** An ISO date, or a duration back from now (24h, 7d). */
  since?: string
  limit: number
}

/**
 * Every event whose latest run failed, filtered by account, type and start time; then every
 * claimed, never completed event of the ledger that Temporal no longer has a run of (its history
 * is past retention), from the payload the ledger keeps.
 */
export async function replayFailed(
  context: CliContext,
  client: Client,
  options: ReplayFailedOptions,
) {
  const since = options.since === undefined ? undefined : sinceDate(options.since)
  let query = visibilityQuery({ failed: true, accountId: options.accountId, event: options.event })
  if (since) query += ` AND StartTime >= "${since.toISOString()}"`
  const seen = new Set<string>()
  const replayed: Replayed[] = []
  const skipped: Array<{ eventId: string; reason: string }> = []
  const replay = async (eventId: string, start: () => Promise<Replayed>) => {
    seen.add(eventId)
    try {
      replayed.push(await start())
    } catch (error) {
      // Refused, or started by a redelivery or another replay since we looked: report, go on.
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        skipped.push({ eventId, reason: 'it is running again already' })
      } else if (error instanceof CliError) {
        skipped.push({ eventId, reason: error.message })
      } else throw error
    }
  }
  for await (const info of client.workflow.list({ query })) {
    if (seen.has(info.workflowId)) continue
    if (seen.size >= options.limit) break
    // Visibility lists every run: an event whose latest run has since completed is left alone.
    const latest = await describeLatest(client, info.workflowId)
    if (latest) await replay(info.workflowId, () => startAgain(context, client, latest))
    else seen.add(info.workflowId)
  }
  const filter = { event: options.event, accountId: options.accountId, since }
  if (seen.size < options.limit) {
    for await (const claim of historyLessClaims(context, client, filter, seen)) {
      await replay(claim.eventId, () => startClaim(context, client, claim))
      if (seen.size >= options.limit) break
    }
  }
  const lines = replayed.map((r) => [r.eventId, r.previousStatus, r.runId])
  print(
    context,
    { replayed, skipped },
    [
      replayed.length ? table([['EVENT ID', 'WAS', 'NEW RUN'], ...lines]) : 'no failed events',
      ...skipped.map((s) => `skipped ${s.eventId}: ${s.reason}`),
    ].join('\n'),
  )
}

/** How many ledger claims one query reads. */
const CLAIMS_PAGE = 100

/** The ledger's unfinished claims that Temporal has no run of, page by page. */
async function* historyLessClaims(
  context: CliContext,
  client: Client,
  filter: Omit<ClaimFilter, 'after' | 'limit'>,
  seen: Set<string>,
): AsyncGenerator<UnfinishedClaim> {
  const store = await openStoreAccess(context.config)
  try {
    let after: string | undefined
    for (;;) {
      const page = await store.listUnfinishedClaims({ ...filter, after, limit: CLAIMS_PAGE })
      for (const claim of page) {
        if (seen.has(claim.eventId)) continue
        // A run in Temporal (running, or failed and handled above) is not history-less.
        if ((await describeLatest(client, claim.eventId)) === undefined) yield claim
      }
      if (page.length < CLAIMS_PAGE) return
      after = page[page.length - 1]?.eventId
    }
  } finally {
    await store.close()
  }
}

async function startAgain(
  context: CliContext,
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<Replayed> {
  const eventId = description.workflowId
  const status = description.status.name
  if (status === 'COMPLETED' || status === 'RUNNING') {
    throw new CliError(
      `event ${eventId} is ${status.toLowerCase()}: only a failed, terminated or timed-out event runs again`,
      EXIT.failed,
    )
  }
  const history = await client.workflow.getHandle(eventId, description.runId).fetchHistory()
  const { input } = summarizeHistory(history)
  if (!input) throw new CliError(`the run of ${eventId} has no recorded input`, EXIT.failed)
  // The workflow id, not the event's: a hand-over runs as `<event id>/handler`.
  const handle = await client.workflow.start(description.type, {
    ...startOptions(context, input as ScomplerEvent, description.taskQueue),
    workflowId: eventId,
  })
  return {
    eventId,
    previousRunId: description.runId,
    previousStatus: status,
    runId: handle.firstExecutionRunId,
    webUiUrl: runUrl(context, eventId, handle.firstExecutionRunId),
    from: 'history',
  }
}

/** The event, and the store retry window of this configuration (STORE_RETRY_WINDOW). */
function startOptions(context: CliContext, event: ScomplerEvent, taskQueue: string) {
  return workflowStartOptions(event, taskQueue, {
    storeRetryWindow: context.config.storeRetryWindowMs,
  })
}
