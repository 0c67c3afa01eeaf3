// The worker process is SIGKILLed inside an activity's store transaction; another worker takes
// over once Temporal notices (startToClose) and the effect is applied exactly once.
import { parseEnvelope } from '../../src/events'
import { freePort } from '../../src/shared/listen'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { testEnvironment } from '../helpers/environment'
import { newAccountId, postingEvent } from '../helpers/events'
import { holdInstallations } from '../helpers/faults'
import { installFor } from '../helpers/installations'
import { effectsOf } from '../helpers/ledger'
import { runEntryPoint } from '../helpers/process'
import { useStack } from '../helpers/stack'
import { startTestWorker, waitForClose } from '../helpers/temporal'
import { TEST_TOKEN_KEY } from '../helpers/tokens'

const stack = useStack({ name: 'worker-killed', database: true })

it('completes the run with its effect applied once after the worker is SIGKILLed mid-activity', async () => {
  const accountId = newAccountId()
  await installFor(stack.store.db, accountId)
  // The posting's transaction waits on the installation row another session holds: the kill
  // lands while it is open, holding the event's ledger row and the account's lock.
  const held = await holdInstallations(stack.store.url, [accountId])
  // `npm run start:worker`, whose store waits on that lock for as long as the test needs.
  const doomed = runEntryPoint('src/worker.ts', {
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    DATABASE_URL: stack.store.url,
    DATABASE_LOCK_TIMEOUT: '5m',
    DATABASE_STATEMENT_TIMEOUT: '5m',
    WORKFLOW_BUNDLE_PATH: testEnvironment().bundlePath,
    WORKER_HEALTH_PORT: String(await freePort('127.0.0.1')),
    HOST: '127.0.0.1',
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
  })
  const event = parseEnvelope(postingEvent({ account_id: accountId }))
  try {
    await doomed.waitFor(/worker running/, 120_000)
    await stack.client.workflow.start(
      'postingSentToPublish',
      workflowStartOptions(event, stack.taskQueue),
    )
    await held.waitForWaiters(1)
    expect(await doomed.stop('SIGKILL')).toBeNull()
  } finally {
    await doomed.stop('SIGKILL')
    // PostgreSQL ends the dead worker's session, and rolls its transaction back, once it finds
    // the client gone.
    await held.release()
  }

  const worker = await startTestWorker({ db: stack.store.db, taskQueue: stack.taskQueue })
  try {
    const closed = await waitForClose(stack.client, event.id, undefined, 120_000)
    expect(closed.status.name).toBe('COMPLETED')
    expect(await stack.client.workflow.getHandle(event.id).result()).toMatchObject({
      outcome: 'completed',
    })
  } finally {
    await worker.stop()
  }
  expect(await effectsOf(stack.store.db, [event.id], 'posting_publications')).toEqual({
    completed: 1,
    rows: 1,
  })
  const { events } = await stack.client.workflow.getHandle(event.id).fetchHistory()
  const attempts = (events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0)
  // The killed attempt timed out and a second one did the work.
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2)
}, 240_000)
