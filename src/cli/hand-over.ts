// `events hand-over --event <type>`: hands events recorded earlier with no handler (by
// unhandledEvent) to the handler registered since. Each runs as workflow `<event id>/handler`
// (handOverEvent) under the usual id policy: the event's own completed id never runs again, and
// an event is handed over once (a failed hand-over may be started again).
import path from 'node:path'
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client'
import { HAND_OVER_WORKFLOW, handOverId } from '../domain'
import { openDatabase } from '../store/database'
import { lockOwner } from '../store/file-lock'
import { storeLockPath } from '../store/pglite'
import { listRecordedEvents } from '../store/recorded-events'
import { workflowStartOptions } from '../temporal/start-event'
import { CliError, EXIT } from './cli-error'
import { runUrl, type CliContext } from './context'
import { print, table } from './output'
import { sinceDate } from './since'

export interface HandOverOptions {
  event: string
  /** An ISO date, or a duration back from now (24h, 7d): events recorded since. */
  since?: string
  limit: number
}

/** What to hand over; a bad --since is refused before Temporal or the store is reached. */
export interface HandOverFilter {
  event: string
  since?: Date
  limit: number
}

export function handOverFilter({ event, since, limit }: HandOverOptions): HandOverFilter {
  return { event, since: since === undefined ? undefined : sinceDate(since), limit }
}

interface HandedOver {
  eventId: string
  workflowId: string
  runId?: string
  skipped?: string
}

export async function handOver(context: CliContext, client: Client, filter: HandOverFilter) {
  const events = await recordedEvents(context, filter)
  const results: HandedOver[] = []
  for (const event of events) {
    const workflowId = handOverId(event.id)
    try {
      const handle = await client.workflow.start(HAND_OVER_WORKFLOW, {
        ...workflowStartOptions(event, context.config.temporal.taskQueue, {
          storeRetryWindow: context.config.storeRetryWindowMs,
        }),
        workflowId,
      })
      results.push({ eventId: event.id, workflowId, runId: handle.firstExecutionRunId })
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error
      results.push({ eventId: event.id, workflowId, skipped: 'handed over already, or running' })
    }
  }
  const rows = results.map((r) => [r.eventId, r.runId ?? `skipped: ${r.skipped}`])
  print(
    context,
    { handedOver: results },
    results.length === 0
      ? `no recorded ${filter.event} events to hand over`
      : [
          table([['EVENT ID', 'HAND-OVER RUN'], ...rows]),
          `Web UI: ${runUrl(context, results[0]!.workflowId)}`,
        ].join('\n'),
  )
}

/** Read from the store directly: the worker's DATABASE_URL, or the embedded store when free. */
async function recordedEvents(context: CliContext, filter: HandOverFilter) {
  const { config } = context
  const owner = !config.databaseUrl && lockOwner(storeLockPath(path.join(config.dataDir, 'store')))
  if (owner) {
    throw new CliError(
      `npm start (process ${owner}) holds the embedded store: stop it, or run hand-over against DATABASE_URL`,
      EXIT.unreachable,
    )
  }
  const db = await openDatabase(config)
  try {
    return await listRecordedEvents(db, filter)
  } finally {
    await db.close()
  }
}
