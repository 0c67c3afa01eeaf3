// Bad options stop the app at startup with the option's name, never its value.
import { Client } from '@temporalio/client'
import { createWebhookHandler, createWebhookMiddleware } from '../../src/lib'

// Lazy: connects on first use, which these tests never reach.
const client = new Client()
const SECRET = 'a-secret-that-must-never-show'

function refusal(options: Record<string, unknown>): string {
  try {
    createWebhookMiddleware({ secret: SECRET, client, ...options })
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    const { message } = error as Error
    expect(message).not.toContain(SECRET)
    return message
  }
  throw new Error('the options were taken')
}

describe('webhook options', () => {
  it.each([
    [{ secret: '' }, /^createWebhookMiddleware: secret: must not be empty$/],
    [{ secret: undefined }, /^createWebhookMiddleware: secret: /],
    [{ previousSecret: '' }, /previousSecret: must not be empty/],
    [{ client: { connection: {} } }, /client: must be a @temporalio\/client Client/],
    [{ taskQueue: '' }, /taskQueue: must not be empty/],
    [{ maxBodyBytes: 2 * 1024 * 1024 }, /maxBodyBytes: must be at most 1.5 MiB/],
    [{ maxBodyBytes: 0 }, /maxBodyBytes: /],
    [{ maxBodyBytes: 1.5 }, /maxBodyBytes: /],
    [{ maxAge: 'soon' }, /maxAge: must be milliseconds or a duration such as '72h'/],
    [{ maxAge: -1 }, /maxAge: /],
    [{ maxAge: '' }, /maxAge: /],
    [{ storeRetryWindow: '3 fortnights' }, /storeRetryWindow: /],
    [{ logger: console.log }, /logger: must have info, warn and error methods/],
    [{ metrics: {} }, /metrics: must be a prom-client Registry/],
    [{ secrets: [SECRET] }, /Unrecognized key: "secrets"/],
  ])('refuses %p', (options, expected) => {
    expect(refusal(options)).toMatch(expected)
  })

  it('takes the defaults, durations in both notations, and a pino-shaped logger', () => {
    expect(typeof createWebhookMiddleware({ secret: SECRET, client })).toBe('function')
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined }
    const options = { secret: SECRET, client, maxAge: 3_600_000, storeRetryWindow: '2d', logger }
    expect(typeof createWebhookHandler(options)).toBe('function')
    expect(typeof createWebhookMiddleware({ ...options, maxAge: '30m' })).toBe('function')
  })

  it('names the factory that refused', () => {
    expect(() => createWebhookHandler({ secret: '', client })).toThrow(/^createWebhookHandler: /)
  })
})
