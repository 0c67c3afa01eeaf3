// "200 means durably accepted ... kept losslessly until its run completes, and can be replayed":
// once a run has claimed its event, the ledger keeps the normalised event until it completes, and
// `events replay <id>` runs it again from there when Temporal no longer has the run's history.
// Real Temporal, real PostgreSQL, the real CLI.
import { randomUUID } from 'node:crypto'
import { defaultPayloadConverter, type Client } from '@temporalio/client'
import { parseEnvelope } from '../../src/events'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { workflowTypeFor, type ScomplerEvent } from '../../src/domain'
import { claimEvent, getLedgerEntry } from '../../src/store/ledger'
import { runCli } from '../helpers/cli'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { TEST_NAMESPACE, testEnvironment } from '../helpers/environment'
import { newAccountId, type WireEvent } from '../helpers/events'
import { refuseTransactions } from '../helpers/faults'
import { connectClient, startTestWorker, uniqueTaskQueue, waitForClose } from '../helpers/temporal'

const taskQueue = uniqueTaskQueue('ledger-replay')
let store: TestDatabase
let client: Client

beforeAll(async () => {
  ;[store, client] = await Promise.all([createTestDatabase(), connectClient()])
}, 60_000)
afterAll(async () => {
  await client?.connection.close()
  await store?.drop()
})

/** An unhandled event whose data jsonb would refuse: the payload must come back exactly. */
function hostileEvent(): WireEvent {
  return {
    id: randomUUID(),
    event: 'account.renamed',
    account_id: newAccountId(),
    data: { nul: 'a\u0000b', lone: 'x\ud800y', nested: { list: ['\udfff', 1.5, null] } },
    occurred_at: new Date().toISOString(),
  }
}

const cliEnv = () => ({
  TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
  TEMPORAL_NAMESPACE: TEST_NAMESPACE,
  TEMPORAL_TASK_QUEUE: taskQueue,
  DATABASE_URL: store.url,
  STORE_RETRY_WINDOW: '2h',
})

async function storedData(eventId: string): Promise<unknown> {
  const { rows } = await store.db.query<{ data: string }>(
    'SELECT data::text AS data FROM unhandled_events WHERE event_id = $1',
    [eventId],
  )
  return rows[0] === undefined ? undefined : JSON.parse(rows[0].data)
}

async function deleteHistory(workflowId: string, runId: string) {
  await client.workflowService.deleteWorkflowExecution({
    namespace: TEST_NAMESPACE,
    workflowExecution: { workflowId, runId },
  })
  const deadline = Date.now() + 90_000
  for (;;) {
    try {
      await client.workflow.getHandle(workflowId).describe()
    } catch {
      return // deleted (the dev server takes about 30 s on a loaded machine)
    }
    if (Date.now() > deadline) throw new Error(`history of ${workflowId} still there`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function replayFromCli(eventId: string) {
  const replay = await runCli(['events', 'replay', eventId, '--json'], cliEnv())
  expect(replay.stderr).toBe('')
  expect(replay.code).toBe(0)
  return replay.json<{ runId: string; from: string }>()
}

it('replays from the ledger a claimed event whose run Temporal never saw', async () => {
  const event: ScomplerEvent = parseEnvelope(hostileEvent())
  // What a run's claim writes (the activity passes the event it was started with).
  await claimEvent(store.db, {
    eventId: event.id,
    event: event.event,
    accountId: event.accountId,
    runId: 'a-run-long-gone',
    payload: event,
  })
  expect(await getLedgerEntry(store.db, event.id)).toEqual({
    status: 'claimed',
    runId: 'a-run-long-gone',
    payload: event,
  })

  const worker = await startTestWorker({ db: store.db, taskQueue })
  try {
    const replayed = await replayFromCli(event.id)
    expect(replayed.from).toBe('ledger')
    const closed = await waitForClose(client, event.id, replayed.runId)
    expect(closed.status.name).toBe('COMPLETED')
    // The replayed run gets the event and this configuration's store retry window.
    const history = await client.workflow.getHandle(event.id, replayed.runId).fetchHistory()
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads
    expect(input?.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      event,
      { storeRetryWindow: 2 * 3600_000 },
    ])
  } finally {
    await worker.stop()
  }
  expect(await storedData(event.id)).toEqual(event.data)
  // Completed: the payload is dropped, and the event is not replayed again.
  expect(await getLedgerEntry(store.db, event.id)).toMatchObject({ status: 'completed' })
  const again = await runCli(['events', 'replay', event.id], cliEnv())
  expect(again.code).toBe(1)
}, 120_000)

it('keeps the payload of a run that failed after its claim, past the loss of its history', async () => {
  const event = parseEnvelope(hostileEvent())
  // The store refuses the run's recording transaction as bad data: it fails at once, after claiming.
  const flaky = refuseTransactions(store.db, 1, '22P02')
  const failing = await startTestWorker({ db: flaky.db, taskQueue })
  let firstRunId: string
  try {
    const handle = await client.workflow.start(
      workflowTypeFor(event.event),
      workflowStartOptions(event, taskQueue),
    )
    firstRunId = handle.firstExecutionRunId
    expect((await waitForClose(client, event.id, firstRunId)).status.name).toBe('FAILED')
  } finally {
    await failing.stop()
  }
  expect(flaky.refused()).toBe(1)
  expect(await getLedgerEntry(store.db, event.id)).toEqual({
    status: 'claimed',
    runId: firstRunId,
    payload: event,
  })
  await deleteHistory(event.id, firstRunId)

  const worker = await startTestWorker({ db: store.db, taskQueue })
  try {
    const replayed = await replayFromCli(event.id)
    expect(replayed.from).toBe('ledger')
    expect((await waitForClose(client, event.id, replayed.runId)).status.name).toBe('COMPLETED')
  } finally {
    await worker.stop()
  }
  expect(await storedData(event.id)).toEqual(event.data)
}, 180_000)

it('says an event is unknown when neither Temporal nor the ledger has it', async () => {
  const missing = await runCli(['events', 'replay', randomUUID()], cliEnv())
  expect(missing.code).toBe(3)
  expect(missing.stderr).toMatch(/no run of event .* in Temporal or the ledger/)
}, 60_000)
