// What must be atomic with the store's own change runs here, inside the activity's transaction,
// under the installation row lock, bounded by the store's timeouts (DATABASE_STATEMENT_TIMEOUT,
// DATABASE_LOCK_TIMEOUT and DATABASE_IDLE_IN_TRANSACTION_TIMEOUT): a hook past one loses its
// transaction, and Temporal retries. deleteRelatedData is the app's (createWorker's option,
// HOOKS_MODULE's export). The app's other work is a handler, run after the transaction
// (src/worker/handlers); postingSentToPublish is no longer offered to apps: it stays the tests'
// way to make a posting's transaction slow or failing.
import type { PostingSentToPublishData, ScomplerEvent } from '../src/domain'
import type { Queryable } from '../src/store/database'
import { deletePostingPublications } from '../src/store/records'

export interface RelatedDataContext {
  accountId: string
  installationId: string
  event: ScomplerEvent
}

export interface PostingContext {
  event: ScomplerEvent
  posting: PostingSentToPublishData
  /**
   * The account's active installation; its token authorises calls to the Scompler API. The token
   * is decrypted when first read, not before; one that cannot be read (its key is not configured,
   * it was tampered with, or it is plaintext although a key is set) fails the run at once,
   * non-retryably (failure type TokenUnreadable).
   */
  installation: { installationId: string; accountId: string; accessToken: string }
}

export interface Hooks {
  /** Deletes the account's related data; returns how many rows went. */
  deleteRelatedData(tx: Queryable, context: RelatedDataContext): Promise<number>
  /** Runs after the posting is recorded, in the same transaction. */
  postingSentToPublish(tx: Queryable, context: PostingContext): Promise<void>
}

export const defaultHooks: Hooks = {
  deleteRelatedData: (tx, { accountId }) => deletePostingPublications(tx, accountId),
  postingSentToPublish: async () => {},
}
