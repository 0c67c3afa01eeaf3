// What must be atomic with the store's own change runs here, inside the activity's transaction,
// under the installation row lock, bounded by the store's timeouts (DATABASE_STATEMENT_TIMEOUT,
// DATABASE_LOCK_TIMEOUT and DATABASE_IDLE_IN_TRANSACTION_TIMEOUT): a hook past one loses its
// transaction, and Temporal retries. deleteRelatedData is the app's (createWorker's option,
// HOOKS_MODULE's export). The app's other work is a handler, run after the transaction
// (src/worker/handlers).
import type { ScomplerEvent } from '../src/domain'
import type { Queryable } from '../src/store/database'
import { deletePostingPublications } from '../src/store/records'

export interface RelatedDataContext {
  accountId: string
  installationId: string
  event: ScomplerEvent
}

export interface Hooks {
  /** Deletes the account's related data; returns how many rows went. */
  deleteRelatedData(tx: Queryable, context: RelatedDataContext): Promise<number>
}

export const defaultHooks: Hooks = {
  deleteRelatedData: (tx, { accountId }) => deletePostingPublications(tx, accountId),
}
