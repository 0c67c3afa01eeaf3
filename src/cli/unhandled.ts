// `events unhandled`: events of types with no workflow or handler, as the store recorded them.
import type { UnhandledEventFilter } from '../store/records'
import type { CliContext } from './context'
import { checkAccountId } from './installations'
import { formatDate, print, table } from './output'
import { sinceDate } from './since'
import type { StoreAccess } from './store-access'

export interface UnhandledOptions {
  event?: string
  accountId?: string
  /** An ISO date, or a duration back from now (24h, 7d). */
  since?: string
  limit: number
}

export async function listUnhandled(
  context: CliContext,
  store: StoreAccess,
  options: UnhandledOptions,
) {
  const filter: UnhandledEventFilter = {
    event: options.event,
    accountId: options.accountId && checkAccountId(options.accountId),
    since: options.since === undefined ? undefined : sinceDate(options.since),
    limit: options.limit,
  }
  const rows = await store.listUnhandledEvents(filter)
  const header = ['EVENT ID', 'EVENT', 'ACCOUNT', 'OCCURRED', 'RECORDED']
  const lines = rows.map((row) => [
    row.eventId,
    row.event,
    row.accountId,
    formatDate(row.occurredAt),
    formatDate(row.recordedAt),
  ])
  print(context, rows, rows.length ? table([header, ...lines]) : 'no unhandled events')
}
