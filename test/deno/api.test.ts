// The API under Deno (`deno task start:api`) as a process, delivering to a real worker on Node and
// the shared Temporal server: the same HTTP contract cases as the API on Node, through real HTTP.
import request from 'supertest'
import { WEBHOOK_PATH } from '../../src/domain'
import { freePort } from '../../src/shared/listen'
import { runDenoTask } from '../helpers/deno'
import { testEnvironment } from '../helpers/environment'
import { delivery, PREVIOUS_SECRET, SECRET, uninstallEvent } from '../helpers/events'
import type { RunningProcess } from '../helpers/process'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'
import { describeWebhookContract, TARGET_MAX_BODY_BYTES } from '../http/webhook-contract'

const stack = useStack({ name: 'deno-api', worker: true })
let api: RunningProcess
let base: string
let port: number

async function startDenoApi(temporalAddress: string) {
  const apiPort = await freePort('127.0.0.1')
  const process = runDenoTask('start:api', {
    SCOMPLER_APP_SECRET: SECRET,
    SCOMPLER_APP_SECRET_PREVIOUS: PREVIOUS_SECRET,
    WEBHOOK_MAX_BODY_BYTES: String(TARGET_MAX_BODY_BYTES),
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
  })
  await process.waitFor(/API listening/)
  return { process, port: apiPort, base: `http://127.0.0.1:${apiPort}` }
}

/** Workflow starts so far, from the API's own Prometheus metrics. */
async function startsFromMetrics(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  return [...text.matchAll(/^scompler_temporal_start_duration_seconds_count\{[^}]*\} (\d+)$/gm)]
    .map((match) => Number(match[1]))
    .reduce((sum, count) => sum + count, 0)
}

beforeAll(async () => {
  ;({ process: api, base, port } = await startDenoApi(testEnvironment().temporalAddress))
})
afterAll(async () => {
  expect(await api?.stop()).toBe(0)
  expect(api.output()).not.toContain(SECRET)
})

describeWebhookContract(() => ({
  http: request(base),
  port,
  client: stack.client,
  taskQueue: stack.taskQueue,
  starts: startsFromMetrics,
  async startWithoutTemporal() {
    const down = await startDenoApi(`127.0.0.1:${await freePort('127.0.0.1')}`)
    return {
      http: request(down.base),
      async close() {
        expect(await down.process.stop()).toBe(0)
      },
    }
  },
}))

describe('the API under Deno with a worker on Node', () => {
  it('runs a delivered event to completion', async () => {
    const event = uninstallEvent()
    const { body, headers } = delivery(event)
    const res = await request(base).post(WEBHOOK_PATH).set(headers).send(body)
    expect(res.body).toMatchObject({ status: 'accepted', workflowId: event.id })
    const closed = await waitForClose(stack.client, event.id)
    expect(closed.status.name).toBe('COMPLETED')
    expect(await stack.client.workflow.getHandle(event.id).result()).toMatchObject({
      eventId: event.id,
      outcome: 'skipped',
    })
  })
})
