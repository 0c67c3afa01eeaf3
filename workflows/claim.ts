import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities'
import { FAILURE, type EventResult, type ScomplerEvent } from '../src/domain'

/**
 * Every run first claims its event id in the ledger. Returns the `duplicate` result when the
 * event was already completed (by a run whose history may be gone), else undefined.
 */
export async function claimOrDuplicate(
  claimEvent: Activities['claimEvent'],
  event: ScomplerEvent,
): Promise<EventResult | undefined> {
  try {
    const claim = await claimEvent({ event, runId: workflowInfo().runId })
    return claim.status === 'completed' ? claim.result : undefined
  } catch (error) {
    // Surface the validation reason as the run's own failure, readable at a glance in the Web UI.
    if (
      error instanceof ActivityFailure &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === FAILURE.invalidEventData
    ) {
      throw ApplicationFailure.nonRetryable(error.cause.message, FAILURE.invalidEventData)
    }
    throw error
  }
}
