import { proxyActivities, type ActivityOptions } from '@temporalio/workflow'
import type { Activities } from '../activities'

/** What a run may be started with besides its event (the workflows' optional second argument). */
export interface RunOptions {
  /**
   * How long store work is retried (capped backoff) before the run fails: the store activities'
   * scheduleToClose, e.g. the namespace retention minus a margin, so work is retried for as long
   * as the history lives. A duration string ('3d', '10s') or milliseconds. It is part of the
   * run's recorded input, so a replay sees the same value. Unset (and in every history recorded
   * before it existed): 30 minutes.
   */
  storeRetryWindow?: string | number
}

export const DEFAULT_STORE_RETRY_WINDOW = '30m'

/** Store work: a lost worker is noticed within 15 s; a store outage is retried for the window. */
export function storeActivityOptions(options: RunOptions | undefined): ActivityOptions {
  return {
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: (options?.storeRetryWindow ??
      DEFAULT_STORE_RETRY_WINDOW) as ActivityOptions['scheduleToCloseTimeout'],
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  }
}

export function storeActivities(options: RunOptions | undefined) {
  return proxyActivities<Activities>(storeActivityOptions(options))
}
