// The worker process is SIGKILLed inside an activity's store transaction; another worker takes
// over once Temporal notices (startToClose) and the effect is applied exactly once.
import type { Client } from '@temporalio/client'
import { parseEnvelope } from '../../src/events'
import { addInstallation } from '../../src/store/installations'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { testEnvironment } from '../helpers/environment'
import { newAccountId, postingEvent } from '../helpers/events'
import { effectsOf } from '../helpers/ledger'
import { runEntryPoint } from '../helpers/process'
import { connectClient, startTestWorker, uniqueTaskQueue, waitForClose } from '../helpers/temporal'
import { TEST_TOKEN_KEY, TEST_TOKENS } from '../helpers/tokens'

let store: TestDatabase
let client: Client
const taskQueue = uniqueTaskQueue('worker-killed')

beforeAll(async () => {
  ;[store, client] = await Promise.all([createTestDatabase(), connectClient()])
})
afterAll(async () => {
  await client?.connection.close()
  await store?.drop()
})

it('completes the run with its effect applied once after the worker is SIGKILLed mid-activity', async () => {
  const accountId = newAccountId()
  await addInstallation(
    store.db,
    {
      installationId: crypto.randomUUID(),
      accountId,
      accessToken: 'token-of-the-killed-worker-test',
      installedAt: new Date(Date.now() - 3600_000),
    },
    TEST_TOKENS,
  )
  const slow = runEntryPoint('test/fixtures/slow-worker.ts', {
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: store.url,
    WORKFLOW_BUNDLE_PATH: testEnvironment().bundlePath,
    SLOW_ACCOUNT_ID: accountId,
    TOKEN_ENCRYPTION_KEY: TEST_TOKEN_KEY,
  })
  await slow.waitFor(/worker ready/, 120_000)
  const event = parseEnvelope(postingEvent({ account_id: accountId }))
  await client.workflow.start('postingSentToPublish', workflowStartOptions(event, taskQueue))
  await slow.waitFor(/inside the activity/, 60_000)
  expect(await slow.stop('SIGKILL')).toBeNull()

  const worker = await startTestWorker({ db: store.db, taskQueue })
  try {
    const closed = await waitForClose(client, event.id, undefined, 120_000)
    expect(closed.status.name).toBe('COMPLETED')
    expect(await client.workflow.getHandle(event.id).result()).toMatchObject({
      outcome: 'completed',
    })
  } finally {
    await worker.stop()
  }
  expect(await effectsOf(store.db, [event.id], 'posting_publications')).toEqual({
    completed: 1,
    rows: 1,
  })
  const { events } = await client.workflow.getHandle(event.id).fetchHistory()
  const attempts = (events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0)
  // The killed attempt timed out and a second one did the work.
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2)
}, 240_000)
