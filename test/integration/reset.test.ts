// A run that failed past its claim can be reset in the Temporal Web UI (Reset to a workflow task)
// once the cause is fixed: the reset run replays the recorded claim and must carry on with it,
// applying the event's effect exactly once. Real Temporal, real PostgreSQL.
import { randomUUID } from 'node:crypto'
import { Client as PgClient } from 'pg'
import type { temporal } from '@temporalio/proto'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { workflowTypeFor, type ScomplerEvent } from '../../src/domain'
import { getLedgerEntry } from '../../src/store/ledger'
import { TEST_NAMESPACE } from '../helpers/environment'
import { buildEvent } from '../../src/testing/build-event'
import { lockWaiters } from '../helpers/faults'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

const stack = useStack({ name: 'reset', worker: true })

/** An event of a type without a workflow of its own: its run records it in the store. */
const unhandled = () => buildEvent('account.renamed', { data: { name: 'x' } })

/**
 * Another session inserts the event's row without committing: the run's own insert waits on it
 * (past the store's lock timeout, retryably) until that session ends: a store step that cannot
 * succeed for now, as a long migration or a stuck session would make it.
 */
async function blockRecording(event: ScomplerEvent): Promise<PgClient> {
  const session = new PgClient({ connectionString: stack.store.url })
  await session.connect()
  await session.query('BEGIN')
  await session.query(
    `INSERT INTO unhandled_events (event_id, event, account_id, data, occurred_at)
     VALUES ($1, $2, $3, '{}', now())`,
    [event.id, event.event, event.accountId],
  )
  return session
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent

/** The workflow task completed right after the claim's activity completed (as the Web UI offers). */
function taskAfterClaim(events: HistoryEvent[]): HistoryEvent['eventId'] {
  const claimScheduled = events.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'claimEvent',
  )
  const claimCompleted = events.find(
    (e) =>
      e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() ===
      claimScheduled?.eventId?.toString(),
  )
  const task = events.find(
    (e) =>
      e.workflowTaskCompletedEventAttributes &&
      Number(e.eventId) > Number(claimCompleted?.eventId ?? Infinity),
  )
  if (task === undefined) throw new Error('no workflow task after the claim')
  return task.eventId
}

async function rowsOf(eventId: string): Promise<number> {
  const { rows } = await stack.store.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM unhandled_events WHERE event_id = $1',
    [eventId],
  )
  return rows[0]?.n ?? 0
}

it('completes a run reset past its claim, with exactly one effect', async () => {
  const event = unhandled()
  const session = await blockRecording(event)
  try {
    const handle = await stack.client.workflow.start(workflowTypeFor(event.event), {
      ...workflowStartOptions(event, stack.taskQueue),
      args: [event, { storeRetryWindow: '3s' }],
    } as unknown as ReturnType<typeof workflowStartOptions>)
    // The run's insert waits for the row; after the run failed, that last attempt must end before
    // the row is given up, or its insert would apply the effect in place of the reset run's.
    const waiters = lockWaiters(session)
    await waiters.waitFor(1)
    const failed = await waitForClose(stack.client, event.id, handle.firstExecutionRunId, 60_000)
    expect(failed.status.name).toBe('FAILED')
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({
      status: 'claimed',
      runId: handle.firstExecutionRunId,
    })
    await waiters.waitForNone(30_000)
  } finally {
    // The cause is fixed: the other session gives up its row.
    await session.query('ROLLBACK')
    await session.end()
  }

  const { events } = await stack.client.workflow.getHandle(event.id).fetchHistory()
  const { runId } = (await stack.client.workflowService.resetWorkflowExecution({
    namespace: TEST_NAMESPACE,
    workflowExecution: { workflowId: event.id },
    reason: 'the blocking session ended',
    workflowTaskFinishEventId: taskAfterClaim(events ?? []),
    requestId: randomUUID(),
  })) as temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse
  const reset = await waitForClose(stack.client, event.id, runId ?? undefined, 60_000)
  expect(reset.status.name).toBe('COMPLETED')
  expect(
    await stack.client.workflow.getHandle(event.id, runId ?? undefined).result(),
  ).toMatchObject({
    outcome: 'completed',
  })
  expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
  expect(await rowsOf(event.id)).toBe(1)
}, 120_000)
