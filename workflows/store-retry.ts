import { proxyActivities, type ActivityOptions } from '@temporalio/workflow'
import type { Activities } from '../activities'
import type { RunOptions } from '../src/domain'

export type { RunOptions }

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
