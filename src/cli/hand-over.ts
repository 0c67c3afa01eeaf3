// `events hand-over --event <type>`: hands events recorded earlier with no handler (by
// unhandledEvent) to the handler registered since. Each runs as workflow `<event id>/handler`
// (handOverEvent) under the usual id policy: the event's own completed id never runs again, and
// an event is handed over once (a failed hand-over may be started again).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client'
import { HAND_OVER_WORKFLOW, handOverId } from '../domain'
import type { RecordedEventFilter } from '../store/recorded-events'
import { workflowStartOptions } from '../temporal/start-event'
import { runUrl, type CliContext } from './context'
import { print, table } from './output'
import { sinceDate } from './since'
import { openStoreAccess } from './store-access'

export interface HandOverOptions {
  event: string
  /** An ISO date, or a duration back from now (24h, 7d): events recorded since. */
  since?: string
  limit: number
}

/** What to hand over; a bad --since is refused before Temporal or the store is reached. */
export function handOverFilter({ event, since, limit }: HandOverOptions): RecordedEventFilter {
  return { event, since: since === undefined ? undefined : sinceDate(since), limit }
}

interface HandedOver {
  eventId: string
  workflowId: string
  runId?: string
  skipped?: string
}

export async function handOver(context: CliContext, client: Client, filter: RecordedEventFilter) {
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

/** From the store: DATABASE_URL, the running npm start's admin socket, or the embedded store. */
async function recordedEvents(context: CliContext, filter: RecordedEventFilter) {
  const store = await openStoreAccess(context.config)
  try {
    return await store.listRecordedEvents(filter)
  } finally {
    await store.close()
  }
}
