import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { reported } from './report'
import { storeActivities, type RunOptions } from './store-retry'

/** Any event type without a workflow of its own: recorded, so that nothing is lost. */
export async function unhandledEvent(
  event: ScomplerEvent,
  options?: RunOptions,
): Promise<EventResult> {
  const { claimEvent, recordUnhandledEvent } = storeActivities(options)
  return reported(async () => {
    const claim = await claimOrDuplicate(claimEvent, event)
    if (claim.duplicate) return claim.duplicate
    return recordUnhandledEvent({ event, runId: claim.runId })
  })
}
