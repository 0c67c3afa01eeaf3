// Runs one handler inside the current activity (a worker's, or MockActivityEnvironment's in a
// user's unit test) and gives its failures a type the run and the Web UI can tell apart.
import { ApplicationFailure, Context } from '@temporalio/activity'
import { FAILURE, isKnownEvent, type HandlerInput, type JsonValue } from '../../domain'
import { parseEventData } from '../../events'
import { isHandlerFailure } from './errors'
import type { RegisteredHandler } from './registry'
import type { HandlerContext, HandlerInstallation } from './types'

export async function invokeHandler(
  { handler, plan }: RegisteredHandler,
  { event, result }: HandlerInput,
  installation: HandlerInstallation | undefined,
): Promise<JsonValue | undefined> {
  const activity = Context.current()
  const context: HandlerContext = {
    event,
    data: dataOf(event),
    idempotencyKey: event.id,
    ...(installation && { installation }),
    result,
    signal: activity.cancellationSignal,
    heartbeat: (details) => activity.heartbeat(details),
    log: activity.log,
    attempt: activity.info.attempt,
  }
  try {
    return (await handler(context)) ?? undefined
  } catch (error) {
    throw typedFailure(error, plan.activity)
  }
}

/** Known events' data as normalised (the claim validated it already); others' as sent. */
function dataOf(event: HandlerInput['event']): HandlerContext['data'] {
  if (!isKnownEvent(event.event)) return event.data
  const parsed = parseEventData(event.event, event.data)
  return (parsed.ok ? parsed.data : event.data) as HandlerContext['data']
}

function typedFailure(error: unknown, activity: string): unknown {
  if (isHandlerFailure(error)) {
    // No retry can help: the run fails at once and is replayed after a fix.
    return ApplicationFailure.create({
      message: error.message,
      type: FAILURE.handlerFailure,
      nonRetryable: true,
      cause: error,
    })
  }
  if (!(error instanceof Error)) {
    // A thrown string or object would reach the Web UI without a message; say what kind it was.
    return ApplicationFailure.create({
      message: `${activity} threw ${kindOf(error)}, not an Error (its content is not shown)`,
      type: FAILURE.handlerThrewNonError,
    })
  }
  return error
}

/**
 * What a thrown non-Error was, never its content: a thrown object is often a request or response
 * (its headers carrying the access token), and the message goes to history and the worker's log.
 */
function kindOf(value: unknown): string {
  if (value === null || typeof value !== 'object')
    return `a ${value === null ? 'null' : typeof value}`
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? `an object (${name})` : 'an object'
}
