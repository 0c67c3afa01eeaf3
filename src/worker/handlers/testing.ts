// runHandler (scompler-webhooks/testing): runs a registered handler in a user's unit test, with no
// server, in Temporal's MockActivityEnvironment, exactly as the worker's activity calls it.
import type { Logger } from '@temporalio/common'
import { MockActivityEnvironment } from '@temporalio/testing'
import { DefaultLogger } from '@temporalio/worker'
import type { EventResult, JsonValue, ScomplerEvent } from '../../domain'
import { createTokenCipher } from '../../store/token-cipher'
import { withLazyToken } from './activity'
import { invokeHandler } from './invoke'
import { registeredHandlers, type HandlerRegistry } from './registry'

export interface RunHandlerOptions {
  /** The installation the handler is given; without `accessToken`, asking for it fails. */
  installation?: {
    installationId: string
    accountId: string
    installedAt?: Date
    accessToken?: string
  }
  /** What the store's step did: by default, `completed`. */
  result?: EventResult
  /** The attempt the handler sees (default 1). */
  attempt?: number
  /**
   * Where the SDK's activity log lines go (its "Activity failed" warning among them). By default
   * nowhere: a test that expects a failure should not print one.
   */
  logger?: Logger
}

/** Drops every line: the SDK's default logger writes to stderr. */
const quietLogger = new DefaultLogger('TRACE', () => undefined)

/**
 * Runs the handler registered for `event.event` and returns what it returned. A failure arrives
 * as the worker would report it: HandlerFailure as an ApplicationFailure of type HandlerFailure
 * (non-retryable), a thrown non-Error as type HandlerThrewNonError.
 */
export async function runHandler(
  handlers: HandlerRegistry,
  event: ScomplerEvent,
  options: RunHandlerOptions = {},
): Promise<JsonValue | undefined> {
  const registered = registeredHandlers(handlers).get(event.event)
  if (registered === undefined) throw new Error(`No handler is registered for ${event.event}`)
  const result = options.result ?? { eventId: event.id, event: event.event, outcome: 'completed' }
  const given = options.installation
  const installation =
    given &&
    withLazyToken(
      {
        installationId: given.installationId,
        accountId: given.accountId,
        installedAt: given.installedAt ?? null,
        storedToken: given.accessToken ?? null,
      },
      createTokenCipher(undefined),
    )
  const environment = new MockActivityEnvironment(
    { activityType: registered.plan.activity, attempt: options.attempt ?? 1 },
    { logger: options.logger ?? quietLogger },
  )
  return environment.run(invokeHandler, registered, { event, result }, installation)
}
