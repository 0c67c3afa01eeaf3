// runHandler: a user's unit test runs a handler without a server, as the worker would.
import { randomUUID } from 'node:crypto'
import { jest } from '@jest/globals'
import { ApplicationFailure, type LogLevel } from '@temporalio/common'
import { DefaultLogger } from '@temporalio/worker'
import { parseEnvelope } from '../../src/events'
import { createHandlers, HandlerFailure } from '../../src/lib/worker'
import { runHandler } from '../../src/worker/handlers/testing'

const posting = () =>
  parseEnvelope({
    id: randomUUID(),
    event: 'posting.sent_to_publish',
    account_id: 42,
    data: { posting_id: 7, service_id: '9' },
    occurred_at: new Date().toISOString(),
  })

const installation = { installationId: randomUUID(), accountId: '42', accessToken: 't0ken' }

it('runs the handler with typed data, the installation, the key and the attempt', async () => {
  const handlers = createHandlers().on(
    'posting.sent_to_publish',
    async ({ data, installation, idempotencyKey, attempt, signal, result }) => ({
      postingId: data.postingId,
      token: await installation!.accessToken(),
      idempotencyKey,
      attempt,
      aborted: signal.aborted,
      outcome: result.outcome,
    }),
  )
  const event = posting()
  expect(await runHandler(handlers, event, { installation, attempt: 2 })).toEqual({
    postingId: '7',
    token: 't0ken',
    idempotencyKey: event.id,
    attempt: 2,
    aborted: false,
    outcome: 'completed',
  })
})

it('reports HandlerFailure as the worker does: a non-retryable failure of its type', async () => {
  const handlers = createHandlers().on('posting.sent_to_publish', async () => {
    throw new HandlerFailure('the service refused the posting')
  })
  const failure = await runHandler(handlers, posting()).catch((error: unknown) => error)
  expect(failure).toBeInstanceOf(ApplicationFailure)
  expect(failure).toMatchObject({
    type: 'HandlerFailure',
    nonRetryable: true,
    message: 'the service refused the posting',
  })
})

describe("the SDK's activity log", () => {
  const failing = () =>
    createHandlers().on('posting.sent_to_publish', async () => {
      throw new HandlerFailure('expected in this test')
    })

  it('writes nothing for an expected failure by default', async () => {
    const stderr = jest.spyOn(process.stderr, 'write')
    const stdout = jest.spyOn(process.stdout, 'write')
    try {
      await expect(runHandler(failing(), posting())).rejects.toMatchObject({
        type: 'HandlerFailure',
      })
      expect(stderr).not.toHaveBeenCalled()
      expect(stdout).not.toHaveBeenCalled()
    } finally {
      stderr.mockRestore()
      stdout.mockRestore()
    }
  })

  it('goes to the logger given', async () => {
    const lines: { level: LogLevel; message: string }[] = []
    const logger = new DefaultLogger('WARN', ({ level, message }) => lines.push({ level, message }))
    await expect(runHandler(failing(), posting(), { logger })).rejects.toThrow()
    expect(lines).toContainEqual({ level: 'WARN', message: 'Activity failed' })
  })
})

it('reports a thrown non-Error by its kind, never its content (it may carry the token)', async () => {
  const thrown = { config: { headers: { authorization: 'Bearer the-access-token' } } }
  const handlers = createHandlers().on('posting.sent_to_publish', async () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw thrown
  })
  const failure = await runHandler(handlers, posting()).catch((error: unknown) => error)
  expect(failure).toMatchObject({
    type: 'HandlerThrewNonError',
    message:
      'handle:posting.sent_to_publish threw an object (Object), not an Error (its content is not shown)',
  })
  expect(JSON.stringify(failure)).not.toContain('the-access-token')
})

it('fails a handler asking for a token the installation does not have, non-retryably', async () => {
  const handlers = createHandlers().on('posting.sent_to_publish', async ({ installation }) => {
    await installation!.accessToken()
  })
  const withoutToken = { installationId: installation.installationId, accountId: '42' }
  await expect(
    runHandler(handlers, posting(), { installation: withoutToken }),
  ).rejects.toMatchObject({ type: 'TokenUnavailable', nonRetryable: true })
})

it('says so when no handler is registered for the event', async () => {
  await expect(runHandler(createHandlers(), posting())).rejects.toThrow(
    'No handler is registered for posting.sent_to_publish',
  )
})
