import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities'
import { FAILURE, type EventResult, type HandlerPlan, type ScomplerEvent } from '../src/domain'

/**
 * The event is this run's to process, under the claim of run `runId`, with the handler the
 * claiming worker had registered for it (if any); or it was already done.
 */
export type Claim =
  | { duplicate: EventResult }
  | { duplicate?: undefined; runId: string; handler?: HandlerPlan; ledgerId?: string }

/**
 * Every run first claims its event id in the ledger. Returns the `duplicate` result when the
 * event was already completed (by a run whose history may be gone), else the run id whose claim
 * the later steps carry: the claiming run's, as recorded in history, so that a run reset past its
 * claim (Web UI) continues that claim instead of losing it to itself.
 */
export async function claimOrDuplicate(
  claimEvent: Activities['claimEvent'],
  event: ScomplerEvent,
): Promise<Claim> {
  try {
    const claim = await claimEvent({ event, runId: workflowInfo().runId })
    if (claim.status === 'completed') return { duplicate: claim.result }
    return {
      runId: claim.runId ?? workflowInfo().runId,
      ...(claim.handler && { handler: claim.handler }),
    }
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
