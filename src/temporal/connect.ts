import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker'
import type { Logger } from '../shared/logger'

/** Waits for Temporal instead of crashing when the worker starts before it. */
export async function connectWithRetry(
  options: NativeConnectionOptions,
  logger: Logger,
  signal: AbortSignal,
): Promise<NativeConnection> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await NativeConnection.connect(options)
    } catch (error) {
      if (signal.aborted) throw error
      logger.warn(
        { address: options.address, retryInMs: delay },
        'Temporal is unreachable; retrying',
      )
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
