import { APP_UNINSTALLED, type EventResult } from '../src/domain'
import type { Database } from '../src/store/database'
import {
  countNewerActiveInstallations,
  deactivateInstallation,
  insertTombstone,
  lockAccount,
  lockInstallation,
} from '../src/store/installations'
import type { Hooks } from './hooks'
import { completeOnce, eventData, type RunInput } from './ledger'

export function createUninstallActivities(db: Database, hooks: Hooks) {
  return {
    /**
     * In one transaction that holds the account's lock, then the installation row lock: remove
     * its token, mark it uninstalled and, when asked, delete the account's related data unless
     * a newer installation of the account (by installed_at) is active: a stale uninstall must
     * never wipe a reinstall, and an older installation whose uninstall was lost never blocks the
     * cleanup. Installation add and posting handling take the account's lock too, so a reinstall
     * waits for the cleanup instead of losing its rows to it.
     */
    async uninstallInstallation(input: RunInput): Promise<EventResult> {
      const { event } = input
      const { installationId, deleteRelatedData } = eventData(event, APP_UNINSTALLED)
      const base = { eventId: event.id, event: event.event }
      return completeOnce(db, input, async (tx) => {
        await lockAccount(tx, event.accountId)
        const installation = await lockInstallation(tx, installationId)
        if (installation === undefined) {
          await insertTombstone(tx, installationId, event.accountId, event.occurredAt)
          return { ...base, outcome: 'skipped', reason: 'unknown installation (tombstone kept)' }
        }
        if (installation.accountId !== event.accountId) {
          return { ...base, outcome: 'skipped', reason: 'installation belongs to another account' }
        }
        if (installation.status === 'uninstalled') {
          return { ...base, outcome: 'skipped', reason: 'installation already uninstalled' }
        }
        await deactivateInstallation(tx, installationId, event.occurredAt)
        const others = await countNewerActiveInstallations(tx, event.accountId, installationId)
        let relatedRowsDeleted = 0
        if (deleteRelatedData && others === 0) {
          relatedRowsDeleted = await hooks.deleteRelatedData(tx, {
            accountId: event.accountId,
            installationId,
            event,
          })
        }
        return {
          ...base,
          outcome: 'completed',
          ...(deleteRelatedData && others > 0
            ? { reason: 'related data kept: a newer installation of the account is active' }
            : {}),
          details: {
            installationId,
            tokensRemoved: installation.hasToken ? 1 : 0,
            relatedDataDeleted: deleteRelatedData && others === 0,
            relatedRowsDeleted,
            accountStillInstalled: others > 0,
          },
        }
      })
    },
  }
}
