// The app's work per event, each handler a durable Temporal activity of its own, run by the worker
// after the store's own step (never for a skipped or duplicate event). Handlers run at least once:
// the event id is the idempotency key for the publisher, and every row is keyed by it.
import { createHandlers, HandlerFailure, type HandlerRegistry } from 'scompler-webhooks/worker'

/** An event Scompler does not send yet: a handler is all it takes, no fork of the receiver. */
export const COMMENT_CREATED = 'comment.created'

/** What the handlers need of the app's database: a pg Pool, or a fake in unit tests. */
export interface AppDatabase {
  query(text: string, values: unknown[]): Promise<unknown>
}

export interface HandlerDependencies {
  pool: AppDatabase
  publisherUrl: string
}

export function createAppHandlers({ pool, publisherUrl }: HandlerDependencies): HandlerRegistry {
  return createHandlers()
    .on(
      'posting.sent_to_publish',
      async ({ event, data, installation, idempotencyKey, signal }) => {
        if (!installation) throw new HandlerFailure('the account has no active installation')
        const response = await fetch(new URL('/publish', publisherUrl), {
          method: 'POST',
          signal,
          headers: {
            authorization: `Bearer ${await installation.accessToken()}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify({ accountId: event.accountId, ...data }),
        })
        // Busy or down: Temporal retries (the policy below). Any other refusal will not change.
        if (response.status === 429 || response.status >= 500) {
          throw new Error(`the publisher answered HTTP ${response.status}`)
        }
        if (!response.ok) {
          throw new HandlerFailure(
            `the publisher refused posting ${data.postingId}: HTTP ${response.status}`,
          )
        }
        await pool.query(
          `INSERT INTO app_published_postings (event_id, account_id, posting_id, service_id)
           VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING`,
          [event.id, event.accountId, data.postingId, data.serviceId],
        )
        return { published: data.postingId }
      },
      { retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 4 } },
    )
    .on('app.uninstalled', async ({ event, data }) => {
      // Runs after the token is gone (and the account's rows, by deleteAccountData).
      await pool.query(
        `INSERT INTO app_offboarded_accounts (event_id, account_id, installation_id, related_data_deleted)
         VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING`,
        [event.id, event.accountId, data.installationId, data.deleteRelatedData],
      )
      return { offboarded: event.accountId }
    })
    .on(COMMENT_CREATED, async ({ event, data }) => {
      // Not a known event: `data` is as Scompler sent it, unchecked.
      const commentId = data.comment_id
      const text = data.text
      if (typeof commentId !== 'string' || typeof text !== 'string') {
        throw new HandlerFailure('comment.created needs data.comment_id and data.text (strings)')
      }
      await pool.query(
        `INSERT INTO app_comments (event_id, account_id, comment_id, body)
         VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING`,
        [event.id, event.accountId, commentId, text],
      )
      return { comment: commentId }
    })
}
