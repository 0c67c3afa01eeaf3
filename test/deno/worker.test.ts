// The worker under Deno (`deno task start:worker`) as a process: it bundles the workflows with
// webpack, loads the native core bridge, and runs the activities against PostgreSQL. Events are
// delivered by the app on Node to the shared Temporal server, on a task queue of its own.
import { WEBHOOK_PATH } from '../../src/domain'
import { getInstallation } from '../../src/store/installations'
import { getLedgerEntry } from '../../src/store/ledger'
import { freePort } from '../../src/shared/listen'
import { runDenoTask } from '../helpers/deno'
import { testEnvironment } from '../helpers/environment'
import {
  delivery,
  newAccountId,
  postingEvent,
  uninstallEvent,
  type WireEvent,
} from '../helpers/events'
import { installFor } from '../helpers/installations'
import type { RunningProcess } from '../helpers/process'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'
import { createTokenCipher } from '../../src/store/token-cipher'

const stack = useStack({ name: 'deno-worker', database: true, api: true })
let worker: RunningProcess
let health: string

beforeAll(async () => {
  const healthPort = await freePort('127.0.0.1')
  health = `http://127.0.0.1:${healthPort}`
  worker = runDenoTask('start:worker', {
    DATABASE_URL: stack.store.url,
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    WORKER_HEALTH_PORT: String(healthPort),
    HOST: '127.0.0.1',
  })
  stack.onClose(() => worker.stop())
  await worker.waitFor(/worker running/, 120_000)
}, 150_000)

async function deliverAndWait(event: WireEvent) {
  const { body, headers } = delivery(event)
  const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
  expect(res.body.status).toBe('accepted')
  const description = await waitForClose(stack.client, event.id, res.body.runId)
  return { description, handle: stack.client.workflow.getHandle(event.id) }
}

// The Deno worker runs without TOKEN_ENCRYPTION_KEY: tokens are stored as they come.
const installation = (accountId: string) =>
  installFor(stack.store.db, accountId, { tokens: createTokenCipher(undefined) })

describe('the worker under Deno', () => {
  it('reports ready on its health port', async () => {
    const res = await fetch(`${health}/readyz`)
    expect(res.status).toBe(200)
  })

  it('runs app.uninstalled: removes the token and marks the installation uninstalled', async () => {
    const accountId = newAccountId()
    const installationId = await installation(accountId)
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: true },
    })
    const { description, handle } = await deliverAndWait(event)
    expect(description.status.name).toBe('COMPLETED')
    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      details: { tokensRemoved: 1 },
    })
    expect(await getInstallation(stack.store.db, installationId)).toMatchObject({
      status: 'uninstalled',
      hasToken: false,
    })
    expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
  })

  it('runs posting.sent_to_publish: records the posting', async () => {
    const accountId = newAccountId()
    await installation(accountId)
    const event = postingEvent({ account_id: accountId })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({ outcome: 'completed' })
    const { rows } = await stack.store.db.query(
      'SELECT 1 FROM posting_publications WHERE account_id = $1',
      [accountId],
    )
    expect(rows).toHaveLength(1)
  })

  it('fails a run whose data does not fit, at once and for good', async () => {
    const event = uninstallEvent({ data: { installation_id: 'not-a-uuid' } })
    const { description, handle } = await deliverAndWait(event)
    expect(description.status.name).toBe('FAILED')
    const failure = await handle.result().catch((error: { cause?: unknown }) => error.cause)
    expect(failure).toMatchObject({ type: 'InvalidEventData', nonRetryable: true })
  })

  it('drains and exits 0 on SIGTERM', async () => {
    expect(await worker.stop('SIGTERM')).toBe(0)
    expect(worker.output()).toMatch(/DRAINED/)
    expect(worker.output()).not.toMatch(/\berror\b.*Uncaught/i)
  })
})
