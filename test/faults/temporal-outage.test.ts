// A Temporal server of this file's own (SQLite file) is SIGKILLed and started again on the same
// file and port: runs in flight complete, and the API answers 503 meanwhile, then reconnects.
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseEnvelope } from '../../src/events'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { freePort } from '../../src/shared/listen'
import { createHandlers } from '../../src/lib/worker'
import { delivery, newAccountId, postingEvent, SECRET, uninstallEvent } from '../helpers/events'
import { installFor } from '../helpers/installations'
import { effectsOf } from '../helpers/ledger'
import { startOwnTemporal, type OwnTemporal } from '../helpers/own-temporal'
import { runEntryPoint } from '../helpers/process'
import { useStack } from '../helpers/stack'
import { countRuns, waitForClose } from '../helpers/temporal'

let temporal: OwnTemporal
let gate: Promise<void> = Promise.resolve()
let inHandler = 0

beforeAll(async () => {
  temporal = await startOwnTemporal(mkdtempSync(path.join(os.tmpdir(), 'temporal-outage-')))
}, 120_000)
const stack = useStack({
  name: 'temporal-outage',
  temporalAddress: () => temporal.address,
  worker: true,
  // The posting's handler waits at the gate: its activity is in flight across the outage.
  handlers: createHandlers().on('posting.sent_to_publish', async () => {
    inHandler++
    await gate
  }),
})
// After the stack has closed: its worker and client use this server.
afterAll(() => temporal?.stop(), 120_000)

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

it('completes every run in flight after the server is killed and restarted on its file', async () => {
  const events = []
  for (let i = 0; i < 10; i++) {
    const accountId = newAccountId()
    await installFor(stack.store.db, accountId)
    events.push(parseEnvelope(postingEvent({ account_id: accountId })))
  }
  let open!: () => void
  gate = new Promise((resolve) => (open = resolve))
  inHandler = 0
  for (const event of events) {
    await stack.client.workflow.start(
      'postingSentToPublish',
      workflowStartOptions(event, stack.taskQueue),
    )
  }
  await until(() => inHandler === events.length)

  await temporal.kill()
  await temporal.restart()
  open()

  for (const event of events) {
    expect((await waitForClose(stack.client, event.id, undefined, 180_000)).status.name).toBe(
      'COMPLETED',
    )
  }
  const ids = events.map((event) => event.id)
  expect(await effectsOf(stack.store.db, ids, 'posting_publications')).toEqual({
    completed: events.length,
    rows: events.length,
  })
}, 300_000)

it('answers 503 with Retry-After while the server is down, and takes the same delivery once it is back', async () => {
  const port = await freePort('127.0.0.1')
  const api = runEntryPoint('src/api.ts', {
    SCOMPLER_APP_SECRET: SECRET,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  })
  const url = `http://127.0.0.1:${port}`
  const post = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(`${url}/webhooks/scompler`, { method: 'POST', body, headers })
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: await res.json(),
    }
  }
  try {
    await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true)
    const before = uninstallEvent()
    expect((await post(delivery(before).body, delivery(before).headers)).status).toBe(200)

    await temporal.kill()
    const during = delivery(uninstallEvent())
    const started = Date.now()
    const refused = await post(during.body, during.headers)
    expect(refused).toMatchObject({ status: 503, body: { error: 'temporal_unavailable' } })
    expect(refused.retryAfter).toMatch(/^\d+$/)
    // START_TIMEOUT is 5 s; the bound only proves the request does not hang.
    expect(Date.now() - started).toBeLessThan(30_000)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)

    await temporal.restart()
    let answer = refused
    await until(async () => {
      answer = await post(during.body, during.headers)
      return answer.status !== 503
    }, 120_000)
    // Accepted, or duplicate when an earlier attempt's start reached the server as it came back
    // but its answer did not (that delivery got 503): either way, one run.
    expect(answer.status).toBe(200)
    expect(['accepted', 'duplicate']).toContain((answer.body as { status: string }).status)
    expect(api.child.exitCode).toBeNull()
    const eventId = (answer.body as { eventId: string }).eventId
    expect((await waitForClose(stack.client, eventId, undefined, 120_000)).status.name).toBe(
      'COMPLETED',
    )
    expect(await countRuns(stack.client, eventId, 1)).toBe(1)
  } finally {
    await api.stop()
  }
}, 300_000)
