import { Context } from '@temporalio/activity'
import { WorkflowNotFoundError, type Client } from '@temporalio/client'
import {
  POSTING_SENT_TO_PUBLISH,
  SCOMPLER_ACCOUNT_ID,
  WORKFLOW_TYPES,
  type EventResult,
} from '../src/domain'
import type { Database } from '../src/store/database'
import { lockAccount, lockNewestActiveInstallation } from '../src/store/installations'
import { insertPostingPublication } from '../src/store/records'
import { completeOnce, eventData, type RunInput } from './ledger'

export function createPostingActivities(db: Database, client: Client) {
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
        const installation = await lockNewestActiveInstallation(tx, event.accountId)
        if (installation === undefined) {
          return { ...base, outcome: 'skipped', reason: 'no active installation for the account' }
        }
        if (installation.installedAt && installation.installedAt > new Date(event.occurredAt)) {
          return { ...base, outcome: 'skipped', reason: 'the event predates the installation' }
        }
        await insertPostingPublication(tx, event, posting, installation.installationId)
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
