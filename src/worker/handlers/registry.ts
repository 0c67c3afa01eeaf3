// createHandlers(): the user's handlers by event type, with their activity options checked at
// registration, so a mistake stops the worker at startup instead of failing runs later.
import { z } from 'zod'
import {
  handlerActivityName,
  type Duration,
  type HandlerActivityOptions,
  type HandlerPlan,
} from '../../domain'
import { durationMillis } from '../../shared/duration'
import { HandlerRegistrationError } from './errors'
import type { Handler } from './types'

export interface HandlerRegistry {
  /** Registers the handler of one event type; throws HandlerRegistrationError on a mistake. */
  on<E extends string>(event: E, handler: Handler<E>, options?: HandlerOptions): this
}

/** A handler's activity options; what is left out takes HANDLER_DEFAULTS. */
export interface HandlerOptions {
  startToCloseTimeout?: Duration
  scheduleToCloseTimeout?: Duration
  heartbeatTimeout?: Duration
  retry?: Partial<HandlerActivityOptions['retry']>
}

export interface RegisteredHandler {
  handler: Handler
  plan: HandlerPlan
}

/** Nothing retries forever: a handler still failing after an hour fails the run visibly. */
export const HANDLER_DEFAULTS: HandlerActivityOptions = {
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
}

/** Temporal's notation: milliseconds, or what `ms` reads ('30s', '5 minutes'). */
const duration = z.union([
  z.number().int().positive(),
  z.string().refine((value) => durationMillis(value) > 0, 'must be a duration (30s, 5m)'),
])

const optionsSchema = z.strictObject({
  startToCloseTimeout: duration.optional(),
  scheduleToCloseTimeout: duration.optional(),
  heartbeatTimeout: duration.optional(),
  retry: z
    .strictObject({
      initialInterval: duration.optional(),
      backoffCoefficient: z.number().min(1).optional(),
      maximumInterval: duration.optional(),
      maximumAttempts: z.number().int().nonnegative().optional(),
      nonRetryableErrorTypes: z.array(z.string()).optional(),
    })
    .optional(),
}) satisfies z.ZodType<HandlerOptions>

/** The envelope's notation for event names. */
const EVENT_NAME = /^[\w.:-]{1,200}$/

/**
 * A registry's handlers, under a global symbol rather than in a module's WeakMap: any copy of this
 * package in the process recognises them (a HOOKS_MODULE loads the built package while `npm start`
 * runs src/). A new version of the key for a new shape of RegisteredHandler.
 */
const HANDLERS = Symbol.for('scompler-webhooks.handlers.v1')

type Branded = HandlerRegistry & { [HANDLERS]: ReadonlyMap<string, RegisteredHandler> }

export function createHandlers(): HandlerRegistry {
  const handlers = new Map<string, RegisteredHandler>()
  const registry: HandlerRegistry = {
    on(event, handler, options = {}) {
      if (typeof event !== 'string' || !EVENT_NAME.test(event)) {
        throw new HandlerRegistrationError(`${String(event)} is not an event name`)
      }
      if (typeof handler !== 'function') {
        throw new HandlerRegistrationError(`the handler for ${event} is not a function`)
      }
      if (handlers.has(event)) {
        throw new HandlerRegistrationError(`a handler for ${event} is registered already`)
      }
      const parsed = optionsSchema.safeParse(options)
      if (!parsed.success) {
        const reason = z.prettifyError(parsed.error).replaceAll('\n', ' ')
        throw new HandlerRegistrationError(`options of the ${event} handler: ${reason}`)
      }
      handlers.set(event, { handler, plan: planFor(event, parsed.data) })
      return this
    },
  }
  Object.defineProperty(registry, HANDLERS, { value: handlers })
  return registry
}

function planFor(event: string, options: HandlerOptions): HandlerPlan {
  const { retry, ...timeouts } = options
  return {
    activity: handlerActivityName(event),
    options: { ...HANDLER_DEFAULTS, ...timeouts, retry: { ...HANDLER_DEFAULTS.retry, ...retry } },
  }
}

export function isHandlerRegistry(value: unknown): value is HandlerRegistry {
  return typeof value === 'object' && value !== null && (value as Branded)[HANDLERS] instanceof Map
}

/** The registered handlers by event type (none for no registry). */
export function registeredHandlers(
  registry: HandlerRegistry | undefined,
): ReadonlyMap<string, RegisteredHandler> {
  if (registry === undefined) return new Map()
  if (!isHandlerRegistry(registry)) {
    throw new HandlerRegistrationError('handlers must come from createHandlers()')
  }
  return (registry as Branded)[HANDLERS]
}
