import { proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities'
import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { reported } from './report'

// Store work: a lost worker is noticed within 15 s; failures are retried for 30 minutes.
const { claimEvent, recordUnhandledEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/** Any event type without a workflow of its own: recorded, so that nothing is lost. */
export async function unhandledEvent(event: ScomplerEvent): Promise<EventResult> {
  return reported(async () => {
    const duplicate = await claimOrDuplicate(claimEvent, event)
    if (duplicate) return duplicate
    return recordUnhandledEvent({ event, runId: workflowInfo().runId })
  })
}
