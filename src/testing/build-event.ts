// Valid events for an app's own tests: fresh, random ids, sample `data` for each known event.
import { randomInt, randomUUID } from 'node:crypto'
import { APP_UNINSTALLED, POSTING_SENT_TO_PUBLISH, type ScomplerEvent } from '../domain'

/** `data` as Scompler sends it (snake_case): what a run is started with and a handler reads. */
export interface WireData {
  [APP_UNINSTALLED]: { installation_id: string; delete_related_data: boolean }
  [POSTING_SENT_TO_PUBLISH]: { posting_id: number | string; service_id: number | string }
}

export type DataOf<E extends string> = E extends keyof WireData
  ? WireData[E]
  : Record<string, unknown>

export type EventOverrides<E extends string> = Partial<Omit<ScomplerEvent, 'event' | 'data'>> & {
  /** Merged over the sample data. */
  data?: Partial<DataOf<E>> & Record<string, unknown>
}

function sampleData(event: string): Record<string, unknown> {
  if (event === APP_UNINSTALLED) {
    return { installation_id: randomUUID(), delete_related_data: false }
  }
  if (event === POSTING_SENT_TO_PUBLISH) {
    return { posting_id: randomInt(1, 2 ** 31), service_id: randomInt(1, 2 ** 31) }
  }
  return {}
}

/**
 * An event as the receiver hands it to a run: a random UUID id, a random account, occurred now,
 * and valid sample data for the known events (`{}` for others). Overrides are taken as given, so
 * a test can also build an invalid event on purpose.
 */
export function buildEvent<E extends string>(
  event: E,
  overrides: EventOverrides<E> = {},
): ScomplerEvent {
  const { data, ...rest } = overrides
  return {
    id: randomUUID(),
    event,
    accountId: String(randomInt(1, 2 ** 31)),
    occurredAt: new Date().toISOString(),
    ...rest,
    data: { ...sampleData(event), ...data },
  }
}
