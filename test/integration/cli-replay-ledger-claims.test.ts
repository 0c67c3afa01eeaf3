// `events replay-failed` after Temporal's retention: a claim that never completed, whose run's
// history is gone, runs again from the payload the ledger keeps, and completes.
import { randomUUID } from 'node:crypto'
import { HAND_OVER_WORKFLOW, handOverId, type ScomplerEvent } from '../../src/domain'
import { createHandlers, HandlerFailure } from '../../src/lib/worker'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { claimEvent, getLedgerEntry } from '../../src/store/ledger'
import { runCli } from '../helpers/cli'
import { testEnvironment } from '../helpers/environment'
import { newAccountId } from '../helpers/events'
import { useStack } from '../helpers/stack'
import { countRuns, waitForClose } from '../helpers/temporal'

/** survey.answered's handler fails an event's first call (HandlerFailure: the run fails). */
const called = new Set<string>()
const handlers = createHandlers().on('survey.answered', async ({ idempotencyKey }) => {
  if (called.has(idempotencyKey)) return { imported: true }
  called.add(idempotencyKey)
  throw new HandlerFailure('the first call fails')
})

const stack = useStack({ name: 'replay-ledger-claims', worker: true, handlers })

/**
 * A claim made long ago by a run Temporal no longer has (as after retention): of the event's own
 * id, or of its hand-over's (`<event id>/handler`).
 */
async function claimLongAgo(
  accountId: string,
  { event: type = 'comment.created', handOver = false } = {},
): Promise<ScomplerEvent> {
  const event: ScomplerEvent = {
    id: randomUUID(),
    event: type,
    accountId,
    data: { text: 'kept in the ledger \u0000' },
    occurredAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
  }
  const eventId = handOver ? handOverId(event.id) : event.id
  await claimEvent(stack.store.db, {
    eventId,
    event: event.event,
    accountId,
    runId: 'a-run-past-retention',
    payload: event,
  })
  await stack.store.db.query(
    `UPDATE processed_events SET claimed_at = now() - interval '10 days' WHERE event_id = $1`,
    [eventId],
  )
  // Its handler's first call is long past too.
  called.add(event.id)
  return event
}

const cliEnv = () => ({
  TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
  TEMPORAL_TASK_QUEUE: stack.taskQueue,
  DATABASE_URL: stack.store.url,
})

it('starts history-less ledger claims of the account again, and they complete', async () => {
  const accountId = newAccountId()
  const lost = await claimLongAgo(accountId)
  const otherAccount = await claimLongAgo(newAccountId())
  expect(await countRuns(stack.client, lost.id, 0)).toBe(0)

  const env = cliEnv()
  const replay = await runCli(['events', 'replay-failed', '--account-id', accountId, '--json'], env)
  expect(replay.stderr).toBe('')
  expect(replay.code).toBe(0)
  const { replayed } = replay.json<{ replayed: Array<Record<string, string>> }>()
  expect(replayed).toEqual([
    expect.objectContaining({
      eventId: lost.id,
      from: 'ledger',
      previousStatus: 'CLAIMED_IN_LEDGER',
    }),
  ])

  const closed = await waitForClose(stack.client, lost.id, replayed[0]?.runId)
  expect(closed.status.name).toBe('COMPLETED')
  expect(await getLedgerEntry(stack.store.db, lost.id)).toMatchObject({ status: 'completed' })
  expect(await countRuns(stack.client, otherAccount.id, 0)).toBe(0)

  // Completed now: a second pass finds nothing left to replay.
  const again = await runCli(['events', 'replay-failed', '--account-id', accountId, '--json'], env)
  expect(again.json()).toEqual({ replayed: [], skipped: [] })
}, 120_000)

describe("a hand-over's ledger entry (<event id>/handler) past retention", () => {
  /** Ran again as the hand-over it was: handOverEvent under `<event id>/handler`, completed. */
  async function expectHandedOver(event: ScomplerEvent, runId: string | undefined) {
    const closed = await waitForClose(stack.client, handOverId(event.id), runId)
    expect([closed.type, closed.status.name]).toEqual([HAND_OVER_WORKFLOW, 'COMPLETED'])
    expect(await getLedgerEntry(stack.store.db, handOverId(event.id))).toMatchObject({
      status: 'completed',
    })
    // The event's own id is left alone.
    expect(await countRuns(stack.client, event.id, 0)).toBe(0)
  }

  it('events replay <event id>/handler starts the hand-over again', async () => {
    const event = await claimLongAgo(newAccountId(), {
      event: 'survey.answered',
      handOver: true,
    })
    const replay = await runCli(['events', 'replay', handOverId(event.id), '--json'], cliEnv())
    expect(replay.stderr).toBe('')
    const replayed = replay.json<Record<string, string>>()
    expect(replayed).toMatchObject({ eventId: handOverId(event.id), from: 'ledger' })
    await expectHandedOver(event, replayed.runId)
  }, 120_000)

  it('events replay-failed starts it again as the hand-over', async () => {
    const accountId = newAccountId()
    const event = await claimLongAgo(accountId, { event: 'survey.answered', handOver: true })
    const replay = await runCli(
      ['events', 'replay-failed', '--account-id', accountId, '--json'],
      cliEnv(),
    )
    expect(replay.stderr).toBe('')
    const { replayed } = replay.json<{ replayed: Array<Record<string, string>> }>()
    expect(replayed).toEqual([
      expect.objectContaining({ eventId: handOverId(event.id), from: 'ledger' }),
    ])
    await expectHandedOver(event, replayed[0]?.runId)
  }, 120_000)

  it('events replay <event id>/handler of a failed hand-over in Temporal runs it again', async () => {
    const event: ScomplerEvent = {
      id: randomUUID(),
      event: 'survey.answered',
      accountId: newAccountId(),
      data: {},
      occurredAt: new Date().toISOString(),
    }
    const first = await stack.client.workflow.start(HAND_OVER_WORKFLOW, {
      ...workflowStartOptions(event, stack.taskQueue),
      workflowId: handOverId(event.id),
    })
    const failed = await waitForClose(stack.client, first.workflowId, first.firstExecutionRunId)
    expect(failed.status.name).toBe('FAILED')

    const replay = await runCli(['events', 'replay', handOverId(event.id), '--json'], cliEnv())
    expect(replay.stderr).toBe('')
    const replayed = replay.json<Record<string, string>>()
    expect(replayed).toMatchObject({ eventId: handOverId(event.id), from: 'history' })
    await expectHandedOver(event, replayed.runId)
  }, 120_000)
})
