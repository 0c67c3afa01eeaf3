// A run keeps the handler plan its claim recorded: a handler registered while the run is in
// flight does not change it, so its history replays and the event is handled as it was claimed.
// Real Temporal, real PostgreSQL.
import { parseEnvelope } from '../../src/events'
import { workflowTypeFor, type EventResult } from '../../src/domain'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { createHandlers } from '../../src/lib/worker'
import { newAccountId, postingEvent } from '../helpers/events'
import { refuseTransactions } from '../helpers/faults'
import { installFor } from '../helpers/installations'
import { useStack } from '../helpers/stack'
import { startTestWorker, waitForClose } from '../helpers/temporal'

const stack = useStack({ name: 'handlers-in-flight', database: true })

async function pendingAttempts(workflowId: string): Promise<number> {
  const { raw } = await stack.client.workflow.getHandle(workflowId).describe()
  return raw.pendingActivities?.[0]?.attempt ?? 0
}

it('finishes a run claimed without a handler the same way after a handler is registered', async () => {
  const accountId = newAccountId()
  await installFor(stack.store.db, accountId)
  const event = parseEnvelope(postingEvent({ account_id: accountId }))
  // The first worker has no handler, and its store refuses every transaction (as while
  // PostgreSQL restarts): the run is claimed, and its posting step retried, meanwhile.
  const before = await startTestWorker({
    db: refuseTransactions(stack.store.db, Infinity, '57P01').db,
    taskQueue: stack.taskQueue,
  })
  const handle = await stack.client.workflow.start(
    workflowTypeFor(event.event),
    workflowStartOptions(event, stack.taskQueue),
  )
  try {
    for (const deadline = Date.now() + 20_000; (await pendingAttempts(event.id)) < 2;) {
      if (Date.now() > deadline) throw new Error('the recording was not retried')
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  } finally {
    await before.stop()
  }

  const handled: string[] = []
  const after = await startTestWorker({
    db: stack.store.db,
    taskQueue: stack.taskQueue,
    handlers: createHandlers().on('posting.sent_to_publish', async ({ event }) => {
      handled.push(event.id)
    }),
  })
  try {
    const closed = await waitForClose(stack.client, event.id, handle.firstExecutionRunId, 60_000)
    expect(closed.status.name).toBe('COMPLETED')
  } finally {
    await after.stop()
  }
  const result = (await handle.result()) as EventResult
  expect(result).toMatchObject({ outcome: 'completed' })
  expect(result.handler).toBeUndefined()
  expect(handled).toEqual([])
}, 120_000)
