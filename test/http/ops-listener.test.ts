// The optional second listener (OPS_PORT), through real HTTP against the API server as the entry
// points start it, with a real Temporal server behind /readyz: with it, /readyz and /metrics move
// there and the webhook listener answers them 404; without it, nothing changes.
import type { Client } from '@temporalio/client'
import { loadConfig } from '../../src/config'
import { startApiServer, type ApiListening } from '../../src/http/server'
import { freePort } from '../../src/shared/listen'
import { createLogger } from '../../src/shared/logger'
import { TEST_NAMESPACE } from '../helpers/environment'
import { SECRET, sign, uninstallEvent } from '../helpers/events'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'

let client: Client

beforeAll(async () => {
  client = await connectClient()
})
afterAll(async () => {
  await client.connection.close()
})

async function startApi(env: Record<string, string>): Promise<ApiListening> {
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(await freePort('127.0.0.1')),
    TEMPORAL_NAMESPACE: TEST_NAMESPACE,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('ops'),
    ...env,
  })
  return startApiServer({
    config,
    secrets: { current: SECRET },
    client,
    logger: createLogger({ level: 'silent' }),
    tracer: undefined,
  })
}

async function deliver(base: string): Promise<Response> {
  const body = JSON.stringify(uninstallEvent())
  return fetch(`${base}/webhooks/scompler`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Signature': sign(body) },
    body,
  })
}

describe('with OPS_PORT set', () => {
  let api: ApiListening
  let ops: string
  beforeAll(async () => {
    const port = await freePort('127.0.0.1')
    api = await startApi({ OPS_PORT: String(port) })
    ops = api.opsUrl!
  })
  afterAll(() => api.close())

  it('serves /readyz and /metrics on the second listener', async () => {
    expect(ops).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const ready = await fetch(`${ops}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    const metrics = await fetch(`${ops}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await metrics.text()).toContain('scompler_webhook_deliveries_total')
  })

  it('answers /readyz and /metrics 404 on the webhook listener', async () => {
    for (const path of ['/readyz', '/metrics']) {
      const answer = await fetch(`${api.url}${path}`)
      expect([path, answer.status]).toEqual([path, 404])
      expect(await answer.json()).toEqual({ error: 'not_found', message: 'No such endpoint' })
    }
  })

  it('serves /healthz on both', async () => {
    for (const base of [api.url, ops]) {
      const answer = await fetch(`${base}/healthz`)
      expect(answer.status).toBe(200)
      expect(await answer.json()).toEqual({ status: 'ok' })
    }
  })

  it('takes deliveries only on the webhook listener, counted in the metrics served on the other', async () => {
    const delivered = await deliver(api.url)
    expect(delivered.status).toBe(200)
    expect(((await delivered.json()) as { status: string }).status).toBe('accepted')
    expect((await deliver(ops)).status).toBe(404)
    const text = await (await fetch(`${ops}/metrics`)).text()
    expect(text).toMatch(
      /scompler_webhook_deliveries_total\{event="app\.uninstalled",outcome="accepted",reason="none",secret="current"\} 1/,
    )
  })

  it('closes both listeners', async () => {
    const other = await startApi({ OPS_PORT: String(await freePort('127.0.0.1')) })
    expect(other.opsUrl).toMatch(/^http:/)
    expect((await fetch(`${other.opsUrl!}/healthz`)).status).toBe(200)
    await other.close()
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow()
    await expect(fetch(`${other.opsUrl!}/healthz`)).rejects.toThrow()
  })
})

describe('without OPS_PORT', () => {
  let api: ApiListening
  beforeAll(async () => {
    api = await startApi({})
  })
  afterAll(() => api.close())

  it('serves /healthz, /readyz and /metrics on the webhook listener, as before', async () => {
    expect(api.opsUrl).toBeUndefined()
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${api.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    const metrics = await fetch(`${api.url}/metrics`)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('scompler_http_requests_in_flight')
    expect((await deliver(api.url)).status).toBe(200)
  })
})
