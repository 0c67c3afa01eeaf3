import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { afterStep } from './handler'
import { reported } from './report'
import { storeActivities, type RunOptions } from './store-retry'

/**
 * Any event type without a workflow of its own: handed to the handler registered for its type,
 * else recorded, so that nothing is lost.
 */
export async function unhandledEvent(
  event: ScomplerEvent,
  options?: RunOptions,
): Promise<EventResult> {
  const { claimEvent, recordUnhandledEvent, completeHandledEvent } = storeActivities(options)
  return reported(async () => {
    const claim = await claimOrDuplicate(claimEvent, event)
    if (claim.duplicate) return claim.duplicate
    if (claim.handler) {
      const handedOver = { eventId: event.id, event: event.event, outcome: 'completed' as const }
      return afterStep(completeHandledEvent, event, claim, handedOver)
    }
    return recordUnhandledEvent({ event, runId: claim.runId })
  })
}
