import { ActivityFailure, isCancellation, log, setCurrentDetails } from '@temporalio/workflow'
import type { EventResult } from '../src/domain'

/**
 * Runs a workflow's steps and tells what came of them in plain words: as the run's current
 * details in the Web UI and as a log line (workflow id and run id are added by Temporal's logger).
 * Failures are rethrown unchanged, so the run's failure keeps its type and cause chain.
 */
export async function reported(steps: () => Promise<EventResult>): Promise<EventResult> {
  try {
    const result = await steps()
    setCurrentDetails(describeResult(result))
    log.info('event processed', { outcome: result.outcome, reason: result.reason })
    return result
  } catch (error) {
    if (!isCancellation(error)) {
      const reason = failureReason(error)
      setCurrentDetails(`**failed**: ${reason}`)
      log.error('event failed', { reason })
    }
    throw error
  }
}

export function describeResult(result: EventResult): string {
  const facts = Object.entries(result.details ?? {}).map(([key, value]) => `${key}: ${value}`)
  const handler =
    result.handler && `${result.handler.activity}: ${JSON.stringify(result.handler.result ?? null)}`
  return [`**${result.outcome}**`, result.reason, ...facts, handler].filter(Boolean).join('\n\n')
}

/** The innermost message: what a person can act on (e.g. the store's SQLSTATE and why). */
function failureReason(error: unknown): string {
  if (error instanceof ActivityFailure) {
    return `${error.activityType}: ${error.cause?.message ?? error.message}`
  }
  return (error as Error).message
}
