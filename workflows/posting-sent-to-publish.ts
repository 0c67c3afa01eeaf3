import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { reported } from './report'
import { storeActivities, type RunOptions } from './store-retry'

/** posting.sent_to_publish: record it for the account's active installation. */
export async function postingSentToPublish(
  event: ScomplerEvent,
  options?: RunOptions,
): Promise<EventResult> {
  const { claimEvent, recordPostingSentToPublish } = storeActivities(options)
  return reported(async () => {
    const claim = await claimOrDuplicate(claimEvent, event)
    if (claim.duplicate) return claim.duplicate
    return recordPostingSentToPublish({ event, runId: claim.runId })
  })
}
