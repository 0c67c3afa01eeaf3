/**
 * Thrown by a handler when no retry can help (bad data, a refused request): the run fails at once,
 * non-retryably, with the store's step kept applied; `events replay <id>` runs the handler again.
 */
export class HandlerFailure extends Error {
  override name = 'HandlerFailure'
}

/** A handler registration the worker cannot run (thrown by `on`, so at startup). */
export class HandlerRegistrationError extends Error {
  override name = 'HandlerRegistrationError'
}

/** Told apart by name too, for a handler module that loaded its own copy of this package. */
export function isHandlerFailure(error: unknown): error is Error {
  return (
    error instanceof HandlerFailure || (error instanceof Error && error.name === 'HandlerFailure')
  )
}
