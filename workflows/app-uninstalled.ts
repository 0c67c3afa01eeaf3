import { proxyActivities } from '@temporalio/workflow'
import type { Activities } from '../activities'
import type { EventResult, ScomplerEvent } from '../src/domain'
import { claimOrDuplicate } from './claim'
import { afterStep, stepInput } from './handler'
import { reported } from './report'
import { storeActivities, type RunOptions } from './store-retry'

// Temporal API calls: listing and cancelling runs.
const { cancelPostingRuns } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
})

/**
 * app.uninstalled: remove the installation's token and data, then stop its posting runs, then
 * run its handler (given the installation as it was, without its token).
 */
export async function appUninstalled(
  event: ScomplerEvent,
  options?: RunOptions,
): Promise<EventResult> {
  const { claimEvent, uninstallInstallation, completeHandledEvent } = storeActivities(options)
  return reported(async () => {
    const claim = await claimOrDuplicate(claimEvent, event)
    if (claim.duplicate) return claim.duplicate
    const result = await uninstallInstallation(stepInput(event, claim))
    if (result.outcome !== 'completed' || result.details?.accountStillInstalled !== false) {
      return afterStep(completeHandledEvent, event, claim, result)
    }
    const postingRunsCancelled = await cancelPostingRuns({ accountId: event.accountId })
    const details = { ...result.details, postingRunsCancelled }
    return afterStep(completeHandledEvent, event, claim, { ...result, details })
  })
}
