// Users' handlers run as activities of their own (`handle:<event type>`), after the store's step
// and outside its transaction; the ledger completes after them. Real HTTP with real signatures, a
// real Temporal server and worker, a real PostgreSQL database, the real CLI for the replay.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common'
import { WEBHOOK_PATH, type EventResult } from '../../src/domain'
import { getLedgerEntry } from '../../src/store/ledger'
import { createHandlers, HandlerFailure } from '../../src/lib/worker'
import { runCli } from '../helpers/cli'
import { TEST_NAMESPACE, testEnvironment } from '../helpers/environment'
import {
  delivery,
  newAccountId,
  postingEvent,
  uninstallEvent,
  type WireEvent,
} from '../helpers/events'
import { installFor } from '../helpers/installations'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

/** Effects by event id: what each handler did, once it succeeded. */
const effects = new Map<string, unknown[]>()
/** Accounts whose posting handler fails its first two attempts; or refuses until allowed. */
const flakyAccounts = new Set<string>()
const refusingAccounts = new Set<string>()
/** What the ledger said while the handler ran. */
const ledgerDuringHandler = new Map<string, string | undefined>()

function effect(eventId: string, value: unknown) {
  effects.set(eventId, [...(effects.get(eventId) ?? []), value])
}

const handlers = createHandlers()
  .on('posting.sent_to_publish', async ({ event, data, installation, attempt, idempotencyKey }) => {
    const entry = await getLedgerEntry(stack.store.db, event.id)
    ledgerDuringHandler.set(event.id, entry?.status)
    if (flakyAccounts.has(event.accountId) && attempt < 3) throw new Error('the service is down')
    if (refusingAccounts.has(event.accountId)) throw new HandlerFailure('the service refused it')
    const token = await installation!.accessToken()
    effect(idempotencyKey, { postingId: data.postingId, token })
    return { pushed: data.postingId, attempt }
  })
  .on('app.uninstalled', async ({ event, data, installation, result }) => {
    const token = await installation!.accessToken().catch((error: ApplicationFailure) => error.type)
    effect(event.id, { installationId: data.installationId, token, step: result.details })
    return { cleaned: true }
  })
  .on('content.archived', async ({ event, data }) => {
    effect(event.id, data)
    return 'archived'
  })
  .on(
    'test.throws_string',
    async () => {
      // A handler in plain JavaScript may throw anything.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'not an Error'
    },
    {
      retry: { maximumAttempts: 1 },
    },
  )
  .on(
    'test.slow',
    ({ signal }) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted')))
      }),
    { startToCloseTimeout: '1s', retry: { maximumAttempts: 2, initialInterval: '100ms' } },
  )

const stack = useStack({ name: 'handlers', worker: true, handlers, api: true })

async function deliver(event: WireEvent) {
  const { body, headers } = delivery(event)
  const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
  return res.body as { status: string; runId?: string }
}

async function deliverAndWait(event: WireEvent) {
  const answer = await deliver(event)
  expect(answer.status).toBe('accepted')
  const description = await waitForClose(stack.client, event.id, answer.runId, 60_000)
  const handle = stack.client.workflow.getHandle(event.id, answer.runId)
  return { description, handle }
}

async function failureOf(event: WireEvent, runId?: string): Promise<unknown> {
  return stack.client.workflow
    .getHandle(event.id, runId)
    .result()
    .then(
      () => undefined,
      (error: { cause?: unknown }) => error.cause,
    )
}

async function postingRows(eventId: string): Promise<number> {
  const { rows } = await stack.store.db.query(
    'SELECT 1 FROM posting_publications WHERE event_id = $1',
    [eventId],
  )
  return rows.length
}

describe('posting.sent_to_publish', () => {
  it('runs the handler once, after the posting is recorded, and puts its return value in the result', async () => {
    const accountId = newAccountId()
    await installFor(stack.store.db, accountId, { accessToken: 'the-token' })
    const event = postingEvent({ account_id: accountId })
    const { description, handle } = await deliverAndWait(event)
    expect(description.status.name).toBe('COMPLETED')
    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      handler: { activity: 'handle:posting.sent_to_publish', result: { pushed: '12345' } },
    })
    expect(effects.get(event.id)).toEqual([{ postingId: '12345', token: 'the-token' }])
    expect(ledgerDuringHandler.get(event.id)).toBe('claimed')
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
    expect(await postingRows(event.id)).toBe(1)
    // The token is read by the handler only: never in the run's history.
    const history = JSON.stringify(await handle.fetchHistory())
    expect(history).not.toContain('the-token')
  })

  it('runs the handler once for a duplicate delivery', async () => {
    const accountId = newAccountId()
    await installFor(stack.store.db, accountId)
    const event = postingEvent({ account_id: accountId })
    await deliverAndWait(event)
    expect((await deliver(event)).status).toBe('duplicate')
    expect(effects.get(event.id)).toHaveLength(1)
  })

  it('does not run the handler for a skipped event', async () => {
    const event = postingEvent()
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({ outcome: 'skipped' })
    expect((await handle.result()).handler).toBeUndefined()
    expect(effects.has(event.id)).toBe(false)
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
  })

  it('retries a failing handler until it succeeds; the ledger completes only then', async () => {
    const accountId = newAccountId()
    await installFor(stack.store.db, accountId)
    flakyAccounts.add(accountId)
    const event = postingEvent({ account_id: accountId })
    const { description, handle } = await deliverAndWait(event)
    expect(description.status.name).toBe('COMPLETED')
    const result = await handle.result()
    expect(result.handler).toEqual({
      activity: 'handle:posting.sent_to_publish',
      result: { pushed: '12345', attempt: 3 },
    })
    const { events } = await handle.fetchHistory()
    const attempts = (events ?? []).flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
    )
    expect(attempts).toEqual([1, 1, 3, 1]) // claim, recording, handler (third attempt), completion
    expect(effects.get(event.id)).toHaveLength(1)
    expect(await postingRows(event.id)).toBe(1)
  }, 60_000)

  it('fails the run at once on HandlerFailure, keeps the posting recorded once, and a replay runs only the handler', async () => {
    const accountId = newAccountId()
    await installFor(stack.store.db, accountId)
    refusingAccounts.add(accountId)
    const event = postingEvent({ account_id: accountId })
    const { description } = await deliverAndWait(event)
    expect(description.status.name).toBe('FAILED')
    const failure = await failureOf(event)
    expect(failure).toBeInstanceOf(ApplicationFailure)
    expect(failure).toMatchObject({ type: 'HandlerFailure', message: 'the service refused it' })
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({
      status: 'claimed',
      stepResult: { outcome: 'completed' },
    })
    expect(await postingRows(event.id)).toBe(1)

    refusingAccounts.delete(accountId)
    const replay = await runCli(['events', 'replay', event.id, '--json'], {
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_NAMESPACE: TEST_NAMESPACE,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      DATABASE_URL: stack.store.url,
    })
    expect(replay.stderr).toBe('')
    const { runId } = replay.json<{ runId: string }>()
    const replayed = await waitForClose(stack.client, event.id, runId, 60_000)
    expect(replayed.status.name).toBe('COMPLETED')
    const result = (await stack.client.workflow.getHandle(event.id, runId).result()) as EventResult
    expect(result).toMatchObject({ outcome: 'completed', handler: { result: { pushed: '12345' } } })
    expect(await postingRows(event.id)).toBe(1)
    expect(effects.get(event.id)).toHaveLength(1)
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
  }, 90_000)
})

describe('app.uninstalled', () => {
  it('runs the handler after the token is removed, with the installation as it was', async () => {
    const accountId = newAccountId()
    const installationId = await installFor(stack.store.db, accountId)
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: true },
    })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      details: { tokensRemoved: 1 },
      handler: { activity: 'handle:app.uninstalled', result: { cleaned: true } },
    })
    expect(effects.get(event.id)).toEqual([
      {
        installationId,
        token: 'TokenUnavailable',
        step: expect.objectContaining({ tokensRemoved: 1, relatedDataDeleted: true }),
      },
    ])
  })

  it('does not run the handler for an unknown installation (skipped)', async () => {
    const event = uninstallEvent()
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({ outcome: 'skipped' })
    expect(effects.has(event.id)).toBe(false)
  })
})

describe('other events', () => {
  it('hands an event of an unknown type to its handler instead of recording it', async () => {
    const event = postingEvent({ event: 'content.archived', data: { content_id: 7 } })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      handler: { activity: 'handle:content.archived', result: 'archived' },
    })
    expect(effects.get(event.id)).toEqual([{ content_id: 7 }])
    const { rows } = await stack.store.db.query(
      'SELECT 1 FROM unhandled_events WHERE event_id = $1',
      [event.id],
    )
    expect(rows).toHaveLength(0)
  })

  it('records an event of a type without a handler, as before', async () => {
    const event = postingEvent({ event: 'content.published' })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({ reason: 'recorded for later handling' })
  })

  it('fails the run visibly when a handler throws something that is not an Error', async () => {
    const event = postingEvent({ event: 'test.throws_string' })
    const { description } = await deliverAndWait(event)
    expect(description.status.name).toBe('FAILED')
    const failure = await failureOf(event)
    expect(failure).toBeInstanceOf(ActivityFailure)
    expect((failure as ActivityFailure).activityType).toBe('handle:test.throws_string')
    expect((failure as ActivityFailure).cause).toMatchObject({
      type: 'HandlerThrewNonError',
      message: 'handle:test.throws_string threw a string, not an Error (its content is not shown)',
    })
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'claimed' })
  })

  it('fails the run visibly when a handler exceeds its timeout on every attempt', async () => {
    const event = postingEvent({ event: 'test.slow' })
    const { description } = await deliverAndWait(event)
    expect(description.status.name).toBe('FAILED')
    const failure = await failureOf(event)
    expect(failure).toBeInstanceOf(ActivityFailure)
    expect((failure as ActivityFailure).activityType).toBe('handle:test.slow')
    expect((failure as ActivityFailure).cause).toBeInstanceOf(TimeoutFailure)
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'claimed' })
  }, 60_000)
})
