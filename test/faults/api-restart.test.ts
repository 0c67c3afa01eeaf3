// The API process is SIGKILLed while deliveries are in flight and started again: every delivery
// that got a 200 has exactly one completed run, and the unanswered ones succeed on redelivery.
import { freePort } from '../../src/shared/listen'
import { deliver, mapConcurrently, type Answer } from '../helpers/deliver'
import { testEnvironment } from '../helpers/environment'
import { postingEvent, SECRET } from '../helpers/events'
import { effectsOf } from '../helpers/ledger'
import { runEntryPoint, type RunningProcess } from '../helpers/process'
import { useStack } from '../helpers/stack'
import { countMatching, waitForClose } from '../helpers/temporal'

const stack = useStack({ name: 'api-restart', worker: true })

async function startApi(port: number): Promise<RunningProcess> {
  const api = runEntryPoint('src/api.ts', {
    SCOMPLER_APP_SECRET: SECRET,
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  })
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined)
    if (res?.ok) return api
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`the API did not come up:\n${api.output()}`)
}

it('runs each event once when the API is killed mid-traffic and deliveries are retried', async () => {
  const port = await freePort('127.0.0.1')
  const url = `http://127.0.0.1:${port}/webhooks/scompler`
  const events = Array.from({ length: 120 }, () => postingEvent({ event: 'content.archived' }))
  let first = await startApi(port)
  let answered = 0
  const killed = (async () => {
    while (answered < 30) await new Promise((resolve) => setTimeout(resolve, 5))
    await first.stop('SIGKILL')
  })()
  const answers = await mapConcurrently(events, 10, async (event) => {
    const answer = await deliver(url, event)
    if (answer.status === 200) answered++
    return answer
  })
  await killed
  const unanswered = answers.filter((answer) => answer.status !== 200)
  expect(unanswered.length).toBeGreaterThan(0)
  expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(30)

  first = await startApi(port)
  let redelivered: Answer[]
  try {
    redelivered = await mapConcurrently(unanswered, 10, (answer) => deliver(url, answer.event))
  } finally {
    await first.stop()
  }
  for (const answer of redelivered) {
    expect(answer.status).toBe(200)
    expect(['accepted', 'duplicate']).toContain(answer.body?.status)
  }
  for (const event of events) {
    expect((await waitForClose(stack.client, event.id, undefined, 120_000)).status.name).toBe(
      'COMPLETED',
    )
  }
  // One run per event id: as many runs on this task queue as events, all completed.
  const query = `TaskQueue = '${stack.taskQueue}'`
  expect(await countMatching(stack.client, query, events.length)).toBe(events.length)
  expect(
    await countMatching(stack.client, `${query} AND ExecutionStatus = 'Completed'`, events.length),
  ).toBe(events.length)
  const ids = events.map((event) => event.id)
  expect(await effectsOf(stack.store.db, ids, 'unhandled_events')).toEqual({
    completed: events.length,
    rows: events.length,
  })
}, 300_000)
