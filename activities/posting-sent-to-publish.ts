import { ApplicationFailure, Context } from '@temporalio/activity'
import { WorkflowNotFoundError, type Client } from '@temporalio/client'
import {
  POSTING_SENT_TO_PUBLISH,
  SCOMPLER_ACCOUNT_ID,
  WORKFLOW_TYPES,
  type EventResult,
} from '../src/domain'
import type { Database } from '../src/store/database'
import { TOKEN_UNREADABLE, TokenDecryptionError, type TokenCipher } from '../src/store/token-cipher'
import {
  lockAccount,
  lockNewestActiveInstallation,
  type LockedInstallation,
} from '../src/store/installations'
import { insertPostingPublication } from '../src/store/records'
import type { Hooks } from './hooks'
import { completeOnce, eventData, type RunInput } from './ledger'

export function createPostingActivities(
  db: Database,
  hooks: Hooks,
  client: Client,
  tokens: TokenCipher,
) {
  return {
    /**
     * Records the posting only while the account's installation is active and was installed
     * before the event occurred, under the account's lock and the installation row lock (an
     * uninstall waits for it, or it sees the uninstall).
     */
    async recordPostingSentToPublish(input: RunInput): Promise<EventResult> {
      const { event } = input
      const posting = eventData(event, POSTING_SENT_TO_PUBLISH)
      const base = { eventId: event.id, event: event.event }
      return completeOnce(db, input, async (tx) => {
        await lockAccount(tx, event.accountId)
        const locked = await lockNewestActiveInstallation(tx, event.accountId)
        const installation = locked && withLazyToken(locked, tokens)
        if (installation === undefined) {
          return { ...base, outcome: 'skipped', reason: 'no active installation for the account' }
        }
        if (installation.installedAt && installation.installedAt > new Date(event.occurredAt)) {
          return { ...base, outcome: 'skipped', reason: 'the event predates the installation' }
        }
        await insertPostingPublication(tx, event, posting, installation.installationId)
        await hooks.postingSentToPublish(tx, { event, posting, installation })
        return {
          ...base,
          outcome: 'completed',
          details: {
            installationId: installation.installationId,
            postingId: posting.postingId,
            serviceId: posting.serviceId,
          },
        }
      })
    },

    /** After an uninstall: cancels the account's posting runs still in flight. Idempotent. */
    async cancelPostingRuns({ accountId }: { accountId: string }): Promise<number> {
      const query =
        `WorkflowType = '${WORKFLOW_TYPES[POSTING_SENT_TO_PUBLISH]}' AND ` +
        `ExecutionStatus = 'Running' AND ${SCOMPLER_ACCOUNT_ID.name} = '${accountId}'`
      let cancelled = 0
      for await (const run of client.workflow.list({ query })) {
        Context.current().heartbeat(run.workflowId)
        try {
          await client.workflow.getHandle(run.workflowId, run.runId).cancel()
          cancelled++
        } catch (error) {
          // It finished between the listing and the cancel: nothing left to do.
          if (!(error instanceof WorkflowNotFoundError)) throw error
        }
      }
      return cancelled
    },
  }
}

/**
 * The installation as the hook sees it: its token is decrypted when the hook first reads it, not
 * before. A token that cannot be read (a key not configured, tampering, plaintext although a key
 * is set) fails the run at once, non-retryably: no retry can fix it.
 */
function withLazyToken(locked: LockedInstallation, tokens: TokenCipher) {
  const { storedToken, ...installation } = locked
  let accessToken: string | undefined
  return {
    ...installation,
    get accessToken(): string {
      if (accessToken === undefined) {
        try {
          accessToken = tokens.decrypt(storedToken, installation.installationId)
        } catch (error) {
          if (!(error instanceof TokenDecryptionError)) throw error
          throw ApplicationFailure.create({
            message: error.message,
            type: TOKEN_UNREADABLE,
            nonRetryable: true,
          })
        }
      }
      return accessToken
    },
  }
}
