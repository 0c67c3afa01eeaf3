// Bounded load through real HTTP: distinct events with interleaved redeliveries, and a storm of
// one event. Afterwards Temporal's visibility and the ledger must agree: nothing lost or doubled.
// Figures are printed, not asserted: the machine is shared.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { WEBHOOK_PATH } from '../../src/domain'
import { deliver, mapConcurrently, type Answer } from '../helpers/deliver'
import { postingEvent, type WireEvent } from '../helpers/events'
import { effectsOf } from '../helpers/ledger'
import { startOwnTemporal, type OwnTemporal } from '../helpers/own-temporal'
import { useStack } from '../helpers/stack'
import { countMatching, countRuns, waitForClose } from '../helpers/temporal'

const EVENTS = 2000
const CONCURRENCY = 50
const REDELIVERED_SHARE = 0.2

const retries: string[] = []

// A Temporal server of its own, so that the backlog does not slow the other test files' runs.
let temporal: OwnTemporal
beforeAll(async () => {
  temporal = await startOwnTemporal(mkdtempSync(path.join(os.tmpdir(), 'soak-')))
}, 120_000)
const stack = useStack({
  name: 'soak',
  temporalAddress: () => temporal.address,
  worker: true,
  api: true,
})
// After the stack has closed: its worker and client use this server.
afterAll(() => temporal?.stop(), 120_000)

/**
 * A sender that redelivers after a 503 or a lost connection, as webhook senders do, a bounded
 * number of times. Why each retry happened is counted and printed.
 */
async function deliverUntilAnswered(
  url: string,
  event: WireEvent,
): Promise<Answer & { tries: number }> {
  for (let tries = 1; ; tries++) {
    const answer = await deliver(url, event)
    if (answer.status === 503 || answer.status === 0) retries.push(answer.failure ?? '503')
    if ((answer.status !== 503 && answer.status !== 0) || tries === 10) return { ...answer, tries }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

/** Every fifth delivery is a redelivery of an event sent a little earlier. */
function withRedeliveries(events: WireEvent[]): WireEvent[] {
  const stride = Math.round(1 / REDELIVERED_SHARE)
  return events.flatMap((event, i) =>
    (i + 1) % stride === 0 ? [event, events[Math.max(0, i - 3 * CONCURRENCY)]!] : [event],
  )
}

it(`takes ${EVENTS} events at concurrency ${CONCURRENCY} with ${REDELIVERED_SHARE * 100}% redelivered, each run once`, async () => {
  const url = `http://127.0.0.1:${stack.api.port}${WEBHOOK_PATH}`
  const events = Array.from({ length: EVENTS }, () => postingEvent({ event: 'content.archived' }))
  const deliveries = withRedeliveries(events)
  const started = Date.now()
  const answers = await mapConcurrently(deliveries, CONCURRENCY, (e) =>
    deliverUntilAnswered(url, e),
  )
  const answeredMs = Date.now() - started

  const why = Object.entries(
    retries.reduce<Record<string, number>>((n, r) => ({ ...n, [r]: (n[r] ?? 0) + 1 }), {}),
  )
  console.log(
    `soak: ${deliveries.length} deliveries (${EVENTS} events, ${deliveries.length - EVENTS} ` +
      `redeliveries) answered in ${(answeredMs / 1000).toFixed(1)} s ` +
      `(${Math.round((deliveries.length * 1000) / answeredMs)}/s); retried: ${JSON.stringify(why)}`,
  )
  expect(answers.filter((answer) => answer.status !== 200)).toEqual([])
  const accepted = new Map<string, number>()
  for (const { event, body } of answers) {
    if (body?.status === 'accepted') accepted.set(event.id, (accepted.get(event.id) ?? 0) + 1)
    else expect(body?.status).toBe('duplicate')
  }
  // Never two accepts; an event with none had its accepting answer lost and retried.
  expect([...accepted.values()].every((count) => count === 1)).toBe(true)
  expect(EVENTS - accepted.size).toBeLessThanOrEqual(retries.length)

  const completed = `TaskQueue = '${stack.taskQueue}' AND ExecutionStatus = 'Completed'`
  expect(await countMatching(stack.client, completed, EVENTS, 600_000)).toBe(EVENTS)
  expect(await countMatching(stack.client, `TaskQueue = '${stack.taskQueue}'`, EVENTS)).toBe(EVENTS)
  const ids = events.map((event) => event.id)
  expect(await effectsOf(stack.store.db, ids, 'unhandled_events')).toEqual({
    completed: EVENTS,
    rows: EVENTS,
  })
  console.log(
    `soak: all ${EVENTS} runs completed ${((Date.now() - started) / 1000).toFixed(1)} s after the first delivery`,
  )
}, 900_000)

it('gives exactly one run to 100 concurrent deliveries of one new event', async () => {
  const url = `http://127.0.0.1:${stack.api.port}${WEBHOOK_PATH}`
  const event = postingEvent({ event: 'content.archived' })
  const answers = await Promise.all(
    Array.from({ length: 100 }, () => deliverUntilAnswered(url, event)),
  )
  expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(200))
  const statuses = answers.map((answer) => answer.body?.status)
  expect(statuses.filter((status) => status === 'accepted')).toHaveLength(1)
  expect(statuses.filter((status) => status === 'duplicate')).toHaveLength(99)
  expect((await waitForClose(stack.client, event.id, undefined, 240_000)).status.name).toBe(
    'COMPLETED',
  )
  expect(await countRuns(stack.client, event.id, 1)).toBe(1)
  expect(await effectsOf(stack.store.db, [event.id], 'unhandled_events')).toEqual({
    completed: 1,
    rows: 1,
  })
}, 300_000)
