// A Temporal server of this file's own (SQLite file) is SIGKILLed and started again on the same
// file and port: runs in flight complete, and the API answers 503 meanwhile, then reconnects.
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import { parseEnvelope } from '../../src/events'
import { addInstallation } from '../../src/store/installations'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { freePort } from '../../src/shared/listen'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { delivery, newAccountId, postingEvent, SECRET, uninstallEvent } from '../helpers/events'
import { effectsOf } from '../helpers/ledger'
import { startOwnTemporal, type OwnTemporal } from '../helpers/own-temporal'
import { runEntryPoint } from '../helpers/process'
import {
  connectClient,
  startTestWorker,
  uniqueTaskQueue,
  countRuns,
  waitForClose,
  type TestWorker,
} from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

let temporal: OwnTemporal
let store: TestDatabase
let client: Client
let worker: TestWorker
const taskQueue = uniqueTaskQueue('temporal-outage')
let gate: Promise<void> = Promise.resolve()
let inHook = 0

beforeAll(async () => {
  ;[temporal, store] = await Promise.all([
    startOwnTemporal(mkdtempSync(path.join(os.tmpdir(), 'temporal-outage-'))),
    createTestDatabase(),
  ])
  client = await connectClient(temporal.address)
  worker = await startTestWorker({
    db: store.db,
    taskQueue,
    address: temporal.address,
    hooks: {
      async postingSentToPublish() {
        inHook++
        await gate
      },
    },
  })
}, 120_000)
afterAll(async () => {
  await worker?.stop()
  await client?.connection.close()
  await temporal?.stop()
  await store?.drop()
}, 120_000)

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
    await addInstallation(
      store.db,
      {
        installationId: randomUUID(),
        accountId,
        accessToken: `token-${i}`,
        installedAt: new Date(Date.now() - 3600_000),
      },
      TEST_TOKENS,
    )
    events.push(parseEnvelope(postingEvent({ account_id: accountId })))
  }
  let open!: () => void
  gate = new Promise((resolve) => (open = resolve))
  inHook = 0
  for (const event of events) {
    await client.workflow.start('postingSentToPublish', workflowStartOptions(event, taskQueue))
  }
  await until(() => inHook === events.length)

  await temporal.kill()
  await temporal.restart()
  open()

  for (const event of events) {
    expect((await waitForClose(client, event.id, undefined, 180_000)).status.name).toBe('COMPLETED')
  }
  const ids = events.map((event) => event.id)
  expect(await effectsOf(store.db, ids, 'posting_publications')).toEqual({
    completed: events.length,
    rows: events.length,
  })
}, 300_000)

it('answers 503 with Retry-After while the server is down, and takes the same delivery once it is back', async () => {
  const port = await freePort('127.0.0.1')
  const api = runEntryPoint('src/api.ts', {
    SCOMPLER_APP_SECRET: SECRET,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
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
    expect((await waitForClose(client, eventId, undefined, 120_000)).status.name).toBe('COMPLETED')
    expect(await countRuns(client, eventId, 1)).toBe(1)
  } finally {
    await api.stop()
  }
}, 300_000)
