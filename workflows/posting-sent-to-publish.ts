import { proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { Activities } from '../activities'
import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { reported } from './report'

// Store work and the posting hook: a lost worker is noticed within 15 s; failures are retried for
// 30 minutes, then the run fails visibly and can be replayed.
const { claimEvent, recordPostingSentToPublish } = proxyActivities<Activities>({
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '30m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/** posting.sent_to_publish: record it for the account's active installation. */
export async function postingSentToPublish(event: ScomplerEvent): Promise<EventResult> {
  return reported(async () => {
    const duplicate = await claimOrDuplicate(claimEvent, event)
    if (duplicate) return duplicate
    return recordPostingSentToPublish({ event, runId: workflowInfo().runId })
  })
}
