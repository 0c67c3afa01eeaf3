import { workflowInfo } from '@temporalio/workflow'
import { handOverId, type EventResult, type ScomplerEvent } from '../src/domain'
import { afterStep } from './handler'
import { reported } from './report'
import { storeActivities, type RunOptions } from './store-retry'

/**
 * An event recorded earlier by unhandledEvent (no handler then), handed to the handler registered
 * since (`events hand-over`). Its workflow id and ledger entry are `<event id>/handler`: the
 * event's own completed id never runs again, and the hand-over itself runs once.
 */
export async function handOverEvent(
  event: ScomplerEvent,
  options?: RunOptions,
): Promise<EventResult> {
  const { claimHandOver, completeHandledEvent } = storeActivities(options)
  return reported(async () => {
    const claim = await claimHandOver({ event, runId: workflowInfo().runId })
    if (claim.status === 'completed') return claim.result
    const claimed = { runId: claim.runId ?? workflowInfo().runId, ledgerId: handOverId(event.id) }
    const recorded = {
      eventId: event.id,
      event: event.event,
      outcome: 'completed' as const,
      reason: 'recorded earlier, handed over',
    }
    return afterStep(completeHandledEvent, event, { ...claimed, handler: claim.handler }, recorded)
  })
}
