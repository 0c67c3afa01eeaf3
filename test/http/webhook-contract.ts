// The HTTP contract of POST /webhooks/scompler and the other endpoints, as cases that run against
// any running API: the app in this process (webhook.test.ts) or the API under Deno (test/deno).
import { request as httpRequest } from 'node:http'
import type { Client } from '@temporalio/client'
import type request from 'supertest'
import { SCOMPLER_ACCOUNT_ID, SCOMPLER_EVENT, WEBHOOK_PATH } from '../../src/domain'
import { delivery, postingEvent, PREVIOUS_SECRET, sign, uninstallEvent } from '../helpers/events'

export interface WebhookTarget {
  /** Signs with SECRET, also takes PREVIOUS_SECRET, and refuses bodies over 4096 bytes. */
  http: ReturnType<typeof request>
  port: number
  client: Client
  taskQueue: string
  /** How many deliveries reached the workflow start so far. */
  starts: () => Promise<number>
  /** The same API, but its Temporal is unreachable. */
  startWithoutTemporal: () => Promise<{
    http: ReturnType<typeof request>
    close: () => Promise<void>
  }>
}

export const TARGET_MAX_BODY_BYTES = 4096

function expectError(res: { status: number; body: unknown }, status: number, error: string) {
  expect(res.status).toBe(status)
  expect(res.body).toEqual({ error, message: expect.any(String) })
}

export function describeWebhookContract(target: () => WebhookTarget): void {
  function post(body: string | Buffer, headers: Record<string, string>) {
    return target().http.post(WEBHOOK_PATH).set(headers).send(body)
  }

  describe('a genuine delivery', () => {
    it('starts one run whose id is the event id, and answers accepted', async () => {
      const event = uninstallEvent()
      const res = await post(delivery(event).body, delivery(event).headers)
      expect(res.status).toBe(200)
      expect(res.body).toEqual({
        status: 'accepted',
        eventId: event.id,
        workflowId: event.id,
        runId: expect.any(String),
      })
      const description = await target().client.workflow.getHandle(event.id).describe()
      expect(description.type).toBe('appUninstalled')
      expect(description.taskQueue).toBe(target().taskQueue)
      expect(description.typedSearchAttributes.get(SCOMPLER_EVENT)).toBe('app.uninstalled')
      expect(description.typedSearchAttributes.get(SCOMPLER_ACCOUNT_ID)).toBe(
        String(event.account_id),
      )
    })

    it.each([
      ['posting.sent_to_publish', 'postingSentToPublish'],
      ['content.archived', 'unhandledEvent'],
    ])('starts the workflow for %s', async (eventName, workflowType) => {
      const event = postingEvent({ event: eventName })
      const res = await post(delivery(event).body, delivery(event).headers)
      expect(res.body.status).toBe('accepted')
      expect((await target().client.workflow.getHandle(event.id).describe()).type).toBe(
        workflowType,
      )
    })

    it('answers a redelivery as a duplicate, without a second run', async () => {
      const event = uninstallEvent()
      const first = await post(delivery(event).body, delivery(event).headers)
      const again = await post(delivery(event).body, delivery(event).headers)
      expect(first.body.status).toBe('accepted')
      expect(again.status).toBe(200)
      expect(again.body).toEqual({ status: 'duplicate', eventId: event.id, workflowId: event.id })
    })

    it('accepts a known event whose data does not fit its schema (the run fails, not the delivery)', async () => {
      const event = uninstallEvent({ data: { installation_id: 'not-a-uuid' } })
      const res = await post(delivery(event).body, delivery(event).headers)
      expect(res.body.status).toBe('accepted')
    })

    it('verifies the raw bytes: pretty-printed JSON with non-ASCII text', async () => {
      const event = uninstallEvent({ note: 'Grüße aus Köln ✓' })
      const body = JSON.stringify(event, null, 2)
      const res = await post(body, { 'X-Signature': sign(body) })
      expect(res.body.status).toBe('accepted')
    })

    it('accepts the previous secret during a rotation', async () => {
      const event = uninstallEvent()
      const res = await post(
        delivery(event, PREVIOUS_SECRET).body,
        delivery(event, PREVIOUS_SECRET).headers,
      )
      expect(res.body.status).toBe('accepted')
    })
  })

  describe('a delivery that is not genuine gets 401 and reaches neither parsing nor Temporal', () => {
    const event = uninstallEvent()
    const body = JSON.stringify(event, null, 2)
    const good = sign(body)

    it.each([
      ['another secret', { 'X-Signature': sign(body, 'another-secret') }],
      ['a truncated signature', { 'X-Signature': good.slice(0, 40) }],
      ['extra characters', { 'X-Signature': `${good}ab` }],
      ['non-hex characters', { 'X-Signature': good.replace(/[0-9a-f]$/, 'z') }],
      ['an empty signature', { 'X-Signature': '' }],
      ['no signature header', {}],
      ['a signature of the re-serialised JSON', { 'X-Signature': sign(JSON.stringify(event)) }],
    ])('%s', async (_name, headers: Record<string, string>) => {
      const before = await target().starts()
      const res = await post(body, headers)
      expectError(res, 401, 'invalid_signature')
      expect(await target().starts()).toBe(before)
    })

    it('checks the signature before parsing: bad JSON with a bad signature is a 401', async () => {
      const res = await post('{not json', { 'X-Signature': sign('{other}') })
      expectError(res, 401, 'invalid_signature')
    })
  })

  describe('a genuine delivery we cannot take', () => {
    it('answers 400 invalid_json for a signed body that is not JSON', async () => {
      const res = await post('{"id": ', { 'X-Signature': sign('{"id": ') })
      expectError(res, 400, 'invalid_json')
    })

    it('answers 400 invalid_event for a signed envelope that does not fit', async () => {
      const { body, headers } = delivery(uninstallEvent({ id: 'not-a-uuid' }))
      const res = await post(body, headers)
      expectError(res, 400, 'invalid_event')
      expect(res.body.message).toMatch(/^id: /)
    })

    it.each([
      ['older than WEBHOOK_MAX_AGE', new Date(Date.now() - 73 * 3600_000)],
      ['over 5 minutes in the future', new Date(Date.now() + 6 * 60_000)],
    ])('answers 400 stale_event for an event %s', async (_name, at) => {
      const { body, headers } = delivery(uninstallEvent({ occurred_at: at.toISOString() }))
      const before = await target().starts()
      expectError(await post(body, headers), 400, 'stale_event')
      expect(await target().starts()).toBe(before)
    })
  })

  describe('size limits', () => {
    it('answers 413 at once for a declared Content-Length over the limit', async () => {
      const body = 'x'.repeat(5000)
      const res = await post(body, { 'X-Signature': sign(body) })
      expectError(res, 413, 'payload_too_large')
    })

    it('answers 413 for a chunked body that grows past the limit', async () => {
      const port = target().port
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: WEBHOOK_PATH,
            headers: { 'X-Signature': 'a'.repeat(64) },
          },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        )
        req.on('error', reject)
        for (let i = 0; i < 10; i++) req.write('y'.repeat(1000))
        req.end()
      })
      expect(status).toBe(413)
    })
  })

  describe('other requests', () => {
    it.each(['get', 'put', 'delete', 'patch'] as const)(
      'answers %s on the webhook path with 405 and Allow: POST',
      async (method) => {
        const res = await target().http[method](WEBHOOK_PATH)
        expectError(res, 405, 'method_not_allowed')
        expect(res.headers.allow).toBe('POST')
      },
    )

    it('answers an unknown path with 404', async () => {
      expectError(await target().http.post('/webhooks/other'), 404, 'not_found')
    })

    it('reports health', async () => {
      const res = await target().http.get('/healthz')
      expect(res.status).toBe(200)
    })

    it('serves Prometheus metrics counting deliveries by outcome', async () => {
      const res = await target().http.get('/metrics')
      expect(res.status).toBe(200)
      expect(res.text).toMatch(
        /scompler_webhook_deliveries_total\{event="app.uninstalled",outcome="accepted",reason="none",secret="current"\} \d+/,
      )
      expect(res.text).toMatch(/outcome="rejected",reason="invalid_signature"/)
    })
  })

  describe('without Temporal', () => {
    it('answers 503 temporal_unavailable with Retry-After within START_TIMEOUT, leaking no gRPC text', async () => {
      const down = await target().startWithoutTemporal()
      try {
        const { body, headers } = delivery(uninstallEvent())
        const started = Date.now()
        const res = await down.http.post(WEBHOOK_PATH).set(headers).send(body)
        const elapsed = Date.now() - started
        expectError(res, 503, 'temporal_unavailable')
        expect(res.headers['retry-after']).toMatch(/^\d+$/)
        expect(res.body.message).not.toMatch(/grpc|UNAVAILABLE|ECONNREFUSED|deadline|\d{2,}/)
        expect(elapsed).toBeLessThan(8000)
        // Still serving afterwards.
        expect((await down.http.get('/healthz')).status).toBe(200)
      } finally {
        await down.close()
      }
    })
  })
}
