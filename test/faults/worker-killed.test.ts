// The worker process is SIGKILLed inside an activity's store transaction; another worker takes
// over once Temporal notices (startToClose) and the effect is applied exactly once.
import { parseEnvelope } from '../../src/events'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { testEnvironment } from '../helpers/environment'
import { newAccountId, postingEvent } from '../helpers/events'
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
  const slow = runEntryPoint('test/fixtures/slow-worker.ts', {
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    DATABASE_URL: stack.store.url,
    WORKFLOW_BUNDLE_PATH: testEnvironment().bundlePath,
    SLOW_ACCOUNT_ID: accountId,
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
  })
  await slow.waitFor(/worker ready/, 120_000)
  const event = parseEnvelope(postingEvent({ account_id: accountId }))
  await stack.client.workflow.start(
    'postingSentToPublish',
    workflowStartOptions(event, stack.taskQueue),
  )
  await slow.waitFor(/inside the activity/, 60_000)
  expect(await slow.stop('SIGKILL')).toBeNull()

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
