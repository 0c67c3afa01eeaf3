// Why WEBHOOK_MAX_BODY_BYTES stops at 1.5 MiB, against the real Temporal server: a body at that
// limit starts its run (200), while a workflow input over Temporal's 2 MiB blob limit is refused
// for good, which the API could only answer with 503 on every redelivery.
import { randomUUID } from 'node:crypto'
import type { Client } from '@temporalio/client'
import { parseEnvelope } from '../../src/events'
import { MAX_WEBHOOK_BODY_BYTES, TEMPORAL_BLOB_LIMIT_BYTES } from '../../src/shared/webhook-limits'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { startTestApi, type TestApi } from '../helpers/api'
import { sign, uninstallEvent } from '../helpers/events'
import { sendRaw } from '../helpers/raw-http'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'

let client: Client
let api: TestApi
const taskQueue = uniqueTaskQueue('payload-limit')

beforeAll(async () => {
  client = await connectClient()
  api = await startTestApi({ client, taskQueue, maxBodyBytes: MAX_WEBHOOK_BODY_BYTES })
})
afterAll(async () => {
  await api.close()
  await client.connection.close()
})

/** A genuine event whose body is exactly `size` bytes (padding inside `data`). */
function eventOfSize(size: number): string {
  const base = uninstallEvent({ data: { installation_id: randomUUID(), padding: '' } })
  const empty = JSON.stringify(base).length
  base.data.padding = 'x'.repeat(size - empty)
  const body = JSON.stringify(base)
  expect(Buffer.byteLength(body)).toBe(size)
  return body
}

it('accepts and starts a body at the 1.5 MiB limit', async () => {
  const body = eventOfSize(MAX_WEBHOOK_BODY_BYTES)
  const answer = await sendRaw(api.port, { body, headers: ['X-Signature', sign(body)] })
  expect(answer.status).toBe(200)
  expect(answer.json().status).toBe('accepted')
})

it('is below a limit Temporal enforces: an input over 2 MiB is refused by the server', async () => {
  const event = parseEnvelope(JSON.parse(eventOfSize(TEMPORAL_BLOB_LIMIT_BYTES + 1024)))
  const error: unknown = await client.workflow
    .start('appUninstalled', workflowStartOptions(event, taskQueue))
    .then(
      () => undefined,
      (caught: unknown) => caught,
    )
  // INVALID_ARGUMENT (3), not a transient code: no retry would ever start it.
  const cause = (error as { cause?: { code?: number; details?: string } }).cause
  expect({ code: cause?.code, details: cause?.details }).toEqual({
    code: 3,
    details: expect.stringMatching(/size exceeds limit/i),
  })
})
