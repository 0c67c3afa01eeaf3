// Delivery log lines and API metrics, through real HTTP requests with real signatures.
import { Writable } from 'node:stream'
import { WEBHOOK_PATH } from '../../src/domain'
import { createLogger } from '../../src/shared/logger'
import { createApiMetrics } from '../../src/http/metrics'
import { delivery, PREVIOUS_SECRET, SECRET, sign, uninstallEvent } from '../helpers/events'
import { useStack } from '../helpers/stack'

const lines: Array<Record<string, unknown>> = []
const raw: string[] = []
const metrics = createApiMetrics()
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    raw.push(chunk.toString())
    lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
    done()
  },
})
const stack = useStack({
  name: 'observability',
  api: { previousSecret: true, metrics, logger: createLogger({ level: 'info', destination }) },
})

async function deliveries(labels: Record<string, string>): Promise<number> {
  const { values } = await metrics.deliveries.get()
  return values
    .filter((value) => {
      const actual = value.labels as Record<string, unknown>
      return Object.entries(labels).every(([key, want]) => actual[key] === want)
    })
    .reduce((sum, value) => sum + value.value, 0)
}

/** The one line logged for the delivery of `eventId` (or the last delivery line). */
function lineFor(eventId?: string) {
  const found = lines.filter(
    (line) => String(line.msg).startsWith('webhook delivery') && line.eventId === eventId,
  )
  expect(found).toHaveLength(1)
  return found[0]!
}

function expectNothingSecret(body: string, signature: string) {
  const text = raw.join('')
  for (const secret of [SECRET, PREVIOUS_SECRET, signature, body]) {
    expect(text).not.toContain(secret)
  }
}

describe('each delivery moves its counter and logs one line with no secret in it', () => {
  it('a delivery with a wrong signature: rejected, invalid_signature, warn', async () => {
    const body = JSON.stringify(uninstallEvent())
    const signature = sign(body, 'not-the-secret')
    const before = await deliveries({ outcome: 'rejected', reason: 'invalid_signature' })
    const res = await stack.api.http.post(WEBHOOK_PATH).set({ 'X-Signature': signature }).send(body)
    expect(res.status).toBe(401)
    expect(await deliveries({ outcome: 'rejected', reason: 'invalid_signature' })).toBe(before + 1)
    expect(lineFor(undefined)).toMatchObject({
      level: 40,
      msg: 'webhook delivery rejected',
      outcome: 'rejected',
      reason: 'invalid_signature',
      status: 401,
      latencyMs: expect.any(Number),
    })
    expect(lineFor(undefined)).not.toHaveProperty('secretMatch')
    expectNothingSecret(body, signature)
  })

  it('a new event: accepted, with event, account, secret matched, workflow and run ids', async () => {
    const event = uninstallEvent()
    const { body, headers } = delivery(event, PREVIOUS_SECRET)
    const labels = { event: 'app.uninstalled', outcome: 'accepted', secret: 'previous' }
    const before = await deliveries(labels)
    const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
    expect(res.body.status).toBe('accepted')
    expect(await deliveries(labels)).toBe(before + 1)
    expect(lineFor(event.id)).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      msg: 'webhook delivery',
      eventId: event.id,
      event: 'app.uninstalled',
      accountId: event.account_id,
      outcome: 'accepted',
      status: 200,
      latencyMs: expect.any(Number),
      secretMatch: 'previous',
      workflowId: event.id,
      runId: res.body.runId,
    })
    expectNothingSecret(body, headers['X-Signature'])
  })

  it('a redelivery: duplicate, counted apart from accepted', async () => {
    const event = uninstallEvent()
    const { body, headers } = delivery(event)
    await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
    lines.length = 0
    const accepted = await deliveries({ outcome: 'accepted' })
    const duplicates = await deliveries({ event: 'app.uninstalled', outcome: 'duplicate' })
    const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
    expect(res.body.status).toBe('duplicate')
    expect(await deliveries({ outcome: 'accepted' })).toBe(accepted)
    expect(await deliveries({ event: 'app.uninstalled', outcome: 'duplicate' })).toBe(
      duplicates + 1,
    )
    expect(lineFor(event.id)).toMatchObject({
      level: 30,
      outcome: 'duplicate',
      status: 200,
      secretMatch: 'current',
      workflowId: event.id,
    })
    expect(lineFor(event.id)).not.toHaveProperty('runId')
    expectNothingSecret(body, headers['X-Signature'])
  })

  it('an unknown event type is labelled `other`, never by its own name', async () => {
    const event = uninstallEvent({ event: 'brand.new_event_type' })
    const { body, headers } = delivery(event)
    await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
    const exposition = (await stack.api.http.get('/metrics')).text
    expect(exposition).not.toContain('brand.new_event_type')
    expect(exposition).toMatch(
      /scompler_webhook_deliveries_total\{event="other",outcome="accepted"/,
    )
  })
})

describe('GET /metrics', () => {
  it('serves request latency, Temporal start latency, in-flight requests and process metrics', async () => {
    const res = await stack.api.http.get('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    for (const series of [
      /scompler_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/webhooks\/scompler",status="200"\}/,
      /scompler_temporal_start_duration_seconds_count\{result="accepted"\} [1-9]/,
      /scompler_temporal_start_duration_seconds_count\{result="duplicate"\} [1-9]/,
      // This very request is in flight while the metrics are read.
      /scompler_http_requests_in_flight 1\n/,
      /process_cpu_seconds_total \d/,
      /nodejs_eventloop_lag_seconds \d/,
    ]) {
      expect(res.text).toMatch(series)
    }
  })

  it('labels an unknown path `unmatched`, never by the path', async () => {
    await stack.api.http.get('/wp-admin/some/probe')
    const exposition = (await stack.api.http.get('/metrics')).text
    expect(exposition).toMatch(/route="unmatched",status="404"/)
    expect(exposition).not.toContain('wp-admin')
  })
})
