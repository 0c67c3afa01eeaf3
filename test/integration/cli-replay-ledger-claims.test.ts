// `events replay-failed` after Temporal's retention: a claim that never completed, whose run's
// history is gone, runs again from the payload the ledger keeps, and completes.
import { randomUUID } from 'node:crypto'
import type { ScomplerEvent } from '../../src/domain'
import { claimEvent, getLedgerEntry } from '../../src/store/ledger'
import { runCli } from '../helpers/cli'
import { testEnvironment } from '../helpers/environment'
import { newAccountId } from '../helpers/events'
import { useStack } from '../helpers/stack'
import { countRuns, waitForClose } from '../helpers/temporal'

const stack = useStack({ name: 'replay-ledger-claims', worker: true })

/** A claim made long ago by a run Temporal no longer has (as after retention). */
async function claimLongAgo(accountId: string): Promise<ScomplerEvent> {
  const event: ScomplerEvent = {
    id: randomUUID(),
    event: 'comment.created',
    accountId,
    data: { text: 'kept in the ledger \u0000' },
    occurredAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
  }
  await claimEvent(stack.store.db, {
    eventId: event.id,
    event: event.event,
    accountId,
    runId: 'a-run-past-retention',
    payload: event,
  })
  await stack.store.db.query(
    `UPDATE processed_events SET claimed_at = now() - interval '10 days' WHERE event_id = $1`,
    [event.id],
  )
  return event
}

it('starts history-less ledger claims of the account again, and they complete', async () => {
  const accountId = newAccountId()
  const lost = await claimLongAgo(accountId)
  const otherAccount = await claimLongAgo(newAccountId())
  expect(await countRuns(stack.client, lost.id, 0)).toBe(0)

  const env = {
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    DATABASE_URL: stack.store.url,
  }
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
