// Events recorded earlier with no handler are handed to a handler registered later
// (`events hand-over`): each once, as workflow `<event id>/handler`, while the event's own
// completed run is never run again. Real HTTP, Temporal, PostgreSQL and the real CLI.
import { randomUUID } from 'node:crypto'
import { WEBHOOK_PATH, type EventResult, type ScomplerEvent } from '../../src/domain'
import { getLedgerEntry } from '../../src/store/ledger'
import { insertUnhandledEvent } from '../../src/store/records'
import { createHandlers } from '../../src/lib/worker'
import { runCli } from '../helpers/cli'
import { startEmbeddedStore } from '../helpers/embedded-store'
import { TEST_NAMESPACE, testEnvironment } from '../helpers/environment'
import { delivery, postingEvent, type WireEvent } from '../helpers/events'
import { useStack } from '../helpers/stack'
import { countRuns, startTestWorker, waitForClose } from '../helpers/temporal'

const stack = useStack({ name: 'hand-over', database: true, api: true })

const handled: Array<{ key: string; data: unknown }> = []
const handlers = createHandlers().on('survey.answered', async ({ idempotencyKey, data }) => {
  handled.push({ key: idempotencyKey, data })
  return { imported: true }
})

const cliEnv = () => ({
  TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
  TEMPORAL_NAMESPACE: TEST_NAMESPACE,
  TEMPORAL_TASK_QUEUE: stack.taskQueue,
  DATABASE_URL: stack.store.url,
})

async function deliverAndWait(event: WireEvent) {
  const { body, headers } = delivery(event)
  const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
  const { runId } = res.body as { runId: string }
  return waitForClose(stack.client, event.id, runId)
}

it('hands recorded events to a handler registered later, once each', async () => {
  const events = [1, 2].map((n) =>
    postingEvent({ event: 'survey.answered', data: { answer: n, text: 'a\u0000b' } }),
  )
  const before = await startTestWorker({ db: stack.store.db, taskQueue: stack.taskQueue })
  try {
    for (const event of events) expect((await deliverAndWait(event)).status.name).toBe('COMPLETED')
  } finally {
    await before.stop()
  }

  const after = await startTestWorker({
    db: stack.store.db,
    taskQueue: stack.taskQueue,
    handlers,
  })
  try {
    const first = await runCli(
      ['events', 'hand-over', '--event', 'survey.answered', '--json'],
      cliEnv(),
    )
    expect(first.stderr).toBe('')
    const { handedOver } = first.json<{
      handedOver: Array<{ workflowId: string; runId: string }>
    }>()
    expect(handedOver.map((h) => h.workflowId).sort()).toEqual(
      events.map((e) => `${e.id}/handler`).sort(),
    )
    for (const { workflowId, runId } of handedOver) {
      expect((await waitForClose(stack.client, workflowId, runId)).status.name).toBe('COMPLETED')
      const result = (await stack.client.workflow.getHandle(workflowId).result()) as EventResult
      expect(result).toMatchObject({
        outcome: 'completed',
        handler: { activity: 'handle:survey.answered', result: { imported: true } },
      })
    }
    // Handed over: not again.
    const again = await runCli(
      ['events', 'hand-over', '--event', 'survey.answered', '--json'],
      cliEnv(),
    )
    expect(again.json()).toEqual({ handedOver: [] })
  } finally {
    await after.stop()
  }

  expect(handled.map((h) => h.key).sort()).toEqual(events.map((e) => e.id).sort())
  expect(handled.map((h) => h.data)).toContainEqual({ answer: 1, text: 'a\u0000b' })
  for (const event of events) {
    expect(await countRuns(stack.client, event.id, 1)).toBe(1)
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
    expect(await getLedgerEntry(stack.store.db, `${event.id}/handler`)).toMatchObject({
      status: 'completed',
    })
  }
}, 120_000)

it('answers a --since it cannot read with exit code 2, before reaching Temporal', async () => {
  // Nothing listens on port 1: the bad argument must be what is reported.
  const env = { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: stack.store.url }
  for (const since of ['yesterday', '-1d', '0']) {
    const bad = await runCli(['events', 'hand-over', '--event', 'x', '--since', since], env)
    expect([since, bad.code]).toEqual([since, 2])
    expect(bad.stderr).toMatch(/--since must be an ISO date or a duration/)
  }
}, 60_000)

it('hands over through the admin socket while npm start holds the embedded store', async () => {
  const taskQueue = `${stack.taskQueue}-embedded`
  const temporalAddress = testEnvironment().temporalAddress
  // As npm start: the embedded store (its lock), its admin socket, a worker with the handler.
  const embedded = await startEmbeddedStore('hand-over-embedded', {
    temporalAddress,
    namespace: TEST_NAMESPACE,
  })
  const { db, dataDir } = embedded
  const worker = await startTestWorker({ db, taskQueue, handlers })
  try {
    const recorded: ScomplerEvent = {
      id: randomUUID(),
      event: 'survey.answered',
      accountId: '4711',
      data: { answer: 'embedded \u0000 \ud800' },
      occurredAt: new Date().toISOString(),
    }
    await insertUnhandledEvent(db, recorded)
    const env = {
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: TEST_NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
    }
    const args = ['events', 'hand-over', '--event', 'survey.answered', '--since', '1h', '--json']
    const first = await runCli(args, env)
    expect(first.stderr).toBe('')
    const { handedOver } = first.json<{
      handedOver: Array<{ workflowId: string; runId: string }>
    }>()
    expect(handedOver.map((h) => h.workflowId)).toEqual([`${recorded.id}/handler`])
    const closed = await waitForClose(stack.client, handedOver[0]!.workflowId, handedOver[0]!.runId)
    expect(closed.status.name).toBe('COMPLETED')
    expect(handled).toContainEqual({ key: recorded.id, data: recorded.data })
    // Handed over (its ledger entry completed, read through the socket): not again.
    expect((await runCli(args, env)).json()).toEqual({ handedOver: [] })
  } finally {
    await worker.stop()
    await embedded.close()
  }
}, 120_000)
