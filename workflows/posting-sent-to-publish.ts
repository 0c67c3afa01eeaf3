import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { afterStep, stepInput } from './handler'
import { reported } from './report'
import { storeActivities, type RunOptions } from './store-retry'

/** posting.sent_to_publish: record it for the account's active installation, then its handler. */
export async function postingSentToPublish(
  event: ScomplerEvent,
  options?: RunOptions,
): Promise<EventResult> {
  const { claimEvent, recordPostingSentToPublish, completeHandledEvent } = storeActivities(options)
  return reported(async () => {
    const claim = await claimOrDuplicate(claimEvent, event)
    if (claim.duplicate) return claim.duplicate
    const result = await recordPostingSentToPublish(stepInput(event, claim))
    return afterStep(completeHandledEvent, event, claim, result)
  })
}
