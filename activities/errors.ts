import { ApplicationFailure } from '@temporalio/activity'
import { FAILURE } from '../src/domain'

/**
 * SQLSTATE classes that no retry can fix: bad data (22), a broken constraint (23), an invalid
 * statement (42) or a missing feature (0A). Anything else (a lost connection, a restart, a
 * deadlock, a full disk) is retried by Temporal. https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '42', '0A'])

function classifyStoreError(error: unknown): Error {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) {
    return ApplicationFailure.create({
      message: `The store rejected the change (SQLSTATE ${code}): ${(error as Error).message}`,
      type: FAILURE.storeRejected,
      nonRetryable: true,
      cause: error as Error,
    })
  }
  return error as Error
}

/** Wraps each activity so store failures say whether a retry can help. */
export function classifyFailures<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args)
        } catch (error) {
          throw classifyStoreError(error)
        }
      },
    ]),
  ) as T
}
