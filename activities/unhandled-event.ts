import type { EventResult } from '../src/domain'
import type { Database } from '../src/store/database'
import { insertUnhandledEvent } from '../src/store/records'
import { completeOnce, type RunInput } from './ledger'

export function createUnhandledEventActivities(db: Database) {
  return {
    /** Keeps an event of a type we have no workflow for, so that nothing is lost. */
    async recordUnhandledEvent(input: RunInput): Promise<EventResult> {
      const { event } = input
      return completeOnce(db, input, async (tx) => {
        await insertUnhandledEvent(tx, event)
        return {
          eventId: event.id,
          event: event.event,
          outcome: 'completed',
          reason: 'recorded for later handling',
        }
      })
    },
  }
}
