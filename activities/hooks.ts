// Extension points: what "related data" means and what to do when a posting is sent to publish
// are the app's business. Both run inside the activity's transaction, under the installation row
// lock, so keep them to database work; call slow external APIs from an activity of your own. They
// are bounded by the store's timeouts (DATABASE_STATEMENT_TIMEOUT, DATABASE_LOCK_TIMEOUT and
// DATABASE_IDLE_IN_TRANSACTION_TIMEOUT): a hook past one loses its transaction, and Temporal retries.
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
