// createHandlers(): mistakes in a registration stop the worker at startup with a clear error.
import {
  createHandlers,
  HANDLER_DEFAULTS,
  HandlerRegistrationError,
  type HandlerOptions,
} from '../../src/lib/worker'
import { registeredHandlers } from '../../src/worker/handlers/registry'

const handler = async () => undefined

function registering(options: unknown, event = 'posting.sent_to_publish') {
  return () => createHandlers().on(event, handler, options as HandlerOptions)
}

it('refuses a second handler for one event', () => {
  const handlers = createHandlers().on('app.uninstalled', handler)
  expect(() => handlers.on('app.uninstalled', handler)).toThrow(
    new HandlerRegistrationError('a handler for app.uninstalled is registered already'),
  )
})

it('refuses an unknown option, naming it', () => {
  expect(registering({ startToCloseTimeot: '1m' })).toThrow(HandlerRegistrationError)
  expect(registering({ startToCloseTimeot: '1m' })).toThrow(/startToCloseTimeot/)
  expect(registering({ retry: { maxAttempts: 3 } })).toThrow(/maxAttempts/)
})

it.each([['1 fortnight'], ['soon'], [''], [-5], [0], ['-1s'], [1.5]])(
  'refuses the duration %p',
  (value) => {
    expect(registering({ startToCloseTimeout: value })).toThrow(
      /options of the posting.sent_to_publish handler: .*startToCloseTimeout/,
    )
  },
)

it('refuses a handler that is not a function', () => {
  expect(() => createHandlers().on('app.uninstalled', 'cleanup' as never)).toThrow(
    new HandlerRegistrationError('the handler for app.uninstalled is not a function'),
  )
})

it('refuses an event name the envelope would refuse', () => {
  expect(() => createHandlers().on('has spaces', handler)).toThrow(HandlerRegistrationError)
})

it('fills in the documented defaults and keeps the given options', () => {
  const handlers = createHandlers()
    .on('app.uninstalled', handler)
    .on('posting.sent_to_publish', handler, {
      startToCloseTimeout: '5 minutes',
      heartbeatTimeout: 10_000,
      retry: { maximumAttempts: 3 },
    })
  const plans = registeredHandlers(handlers)
  expect(plans.get('app.uninstalled')?.plan).toEqual({
    activity: 'handle:app.uninstalled',
    options: HANDLER_DEFAULTS,
  })
  expect(plans.get('posting.sent_to_publish')?.plan.options).toEqual({
    startToCloseTimeout: '5 minutes',
    scheduleToCloseTimeout: '1h',
    heartbeatTimeout: 10_000,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
      maximumAttempts: 3,
    },
  })
})

it('refuses handlers that createHandlers did not make', () => {
  expect(() => registeredHandlers({ on: () => undefined } as never)).toThrow(
    'handlers must come from createHandlers()',
  )
})
