// What a run's history says: its recorded input, its result or failure, activity attempts.
import { defaultPayloadConverter } from '@temporalio/common'
import type { temporal } from '@temporalio/proto'

type History = temporal.api.history.v1.IHistory
type Payloads = temporal.api.common.v1.IPayloads | null | undefined

export interface RunSummary {
  input: unknown
  result?: unknown
  failure?: string
  /** Each activity with the attempt it reached. */
  activities: Array<{ name: string; attempts: number }>
}

export function summarizeHistory(history: History): RunSummary {
  const events = history.events ?? []
  const names = new Map<string, string>()
  const summary: RunSummary = { input: undefined, activities: [] }
  for (const event of events) {
    const started = event.workflowExecutionStartedEventAttributes
    if (started) summary.input = first(started.input)
    const scheduled = event.activityTaskScheduledEventAttributes
    if (scheduled) names.set(String(event.eventId), scheduled.activityType?.name ?? '?')
    const attempt = event.activityTaskStartedEventAttributes
    if (attempt) {
      const name = names.get(String(attempt.scheduledEventId)) ?? '?'
      summary.activities.push({ name, attempts: attempt.attempt ?? 1 })
    }
    Object.assign(summary, closing(event))
  }
  return summary
}

function closing(event: temporal.api.history.v1.IHistoryEvent): Partial<RunSummary> {
  const completed = event.workflowExecutionCompletedEventAttributes
  if (completed) return { result: first(completed.result) }
  const failed = event.workflowExecutionFailedEventAttributes
  if (failed) return { failure: failed.failure?.message ?? 'failed' }
  const terminated = event.workflowExecutionTerminatedEventAttributes
  if (terminated) return { failure: `terminated: ${terminated.reason || 'no reason given'}` }
  if (event.workflowExecutionTimedOutEventAttributes) return { failure: 'timed out' }
  if (event.workflowExecutionCanceledEventAttributes) return { failure: 'cancelled' }
  return {}
}

function first(payloads: Payloads): unknown {
  const payload = payloads?.payloads?.[0]
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined
}
