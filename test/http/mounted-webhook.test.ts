// The package's public endpoint mounted in a user's own app, through real HTTP with real
// signatures against the real Temporal server: a Koa app with its own routes and the middleware
// at a path of its choosing, and a node:http server with the plain handler.
import Router from '@koa/router'
import type { Client } from '@temporalio/client'
import Koa from 'koa'
import { collectDefaultMetrics, Registry } from 'prom-client'
import {
  createWebhookHandler,
  createWebhookMiddleware,
  signBody,
  type WebhookOptions,
} from '../../src/lib'
import { delivery, PREVIOUS_SECRET, SECRET, sign, uninstallEvent } from '../helpers/events'
import { sendRaw } from '../helpers/raw-http'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'
import { capturedLogger, serve, type Running } from './mounted-server'

const PATH = '/integrations/scompler'

let client: Client
beforeAll(async () => {
  client = await connectClient()
})
afterAll(async () => {
  await client.connection.close()
})

function options(overrides: Partial<WebhookOptions> = {}): WebhookOptions {
  return {
    secret: SECRET,
    client,
    taskQueue: uniqueTaskQueue('mounted'),
    logger: capturedLogger().logger,
    ...overrides,
  }
}

/** A user's Koa app: its own routes, and the webhook at PATH. */
async function koaApp(webhook: WebhookOptions): Promise<Running> {
  const router = new Router()
  router.get('/api/status', (ctx) => {
    ctx.body = { app: 'own route' }
  })
  router.all(PATH, createWebhookMiddleware(webhook))
  const app = new Koa()
  app.use(router.routes()).use(router.allowedMethods())
  return serve(app.callback())
}

/** A node:http server that routes PATH to the handler and answers 404 elsewhere. */
async function nodeServer(webhook: WebhookOptions): Promise<Running> {
  const handle = createWebhookHandler(webhook)
  return serve((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === PATH) return handle(req, res)
    res.statusCode = 404
    res.end()
  })
}

const hosts = [
  ['Koa middleware at a custom path', koaApp],
  ['node:http handler', nodeServer],
] as const

describe.each(hosts)('the %s', (_name, start) => {
  let server: Running
  let taskQueue: string
  const metrics = new Registry()
  const log = capturedLogger()
  beforeAll(async () => {
    const webhook = options({
      previousSecret: PREVIOUS_SECRET,
      maxBodyBytes: 64 * 1024,
      metrics,
      logger: log.logger,
    })
    taskQueue = webhook.taskQueue!
    server = await start(webhook)
  })
  afterAll(() => server.close())

  const post = (body: string | Buffer, signature: string) =>
    sendRaw(server.port, {
      path: PATH,
      body,
      headers: ['Content-Type', 'application/json', 'X-Signature', signature],
    })

  it('starts the run of a genuine delivery, then answers its redelivery duplicate', async () => {
    const event = uninstallEvent()
    const { body, headers } = delivery(event)
    const first = await post(body, headers['X-Signature'])
    expect(first.status).toBe(200)
    expect(first.json()).toEqual({
      status: 'accepted',
      eventId: event.id,
      workflowId: event.id,
      runId: expect.any(String),
    })
    const run = await client.workflow.getHandle(event.id).describe()
    expect([run.type, run.taskQueue]).toEqual(['appUninstalled', taskQueue])

    const again = await post(body, headers['X-Signature'])
    expect([again.status, again.json()]).toEqual([
      200,
      { status: 'duplicate', eventId: event.id, workflowId: event.id },
    ])
    const line = log.lines.find((l) => l.eventId === event.id && l.outcome === 'duplicate')
    expect(line).toMatchObject({ msg: 'webhook delivery', status: 200, secretMatch: 'current' })
  })

  it('accepts the previous secret during a rotation', async () => {
    const { body, headers } = delivery(uninstallEvent(), PREVIOUS_SECRET)
    const answer = await post(body, headers['X-Signature'])
    expect([answer.status, answer.json().status]).toEqual([200, 'accepted'])
  })

  it('refuses a signature made with another secret: 401, nothing started', async () => {
    const event = uninstallEvent()
    const body = JSON.stringify(event)
    const answer = await post(body, sign(body, 'not-the-secret'))
    expect([answer.status, answer.json().error]).toEqual([401, 'invalid_signature'])
    await expect(client.workflow.getHandle(event.id).describe()).rejects.toThrow()
  })

  it('signs with the exported signBody like Scompler does', async () => {
    const body = JSON.stringify(uninstallEvent())
    expect(signBody(body, SECRET)).toBe(sign(body))
    expect((await post(body, signBody(Buffer.from(body), SECRET))).status).toBe(200)
  })

  it('refuses a body over maxBodyBytes with 413, declared or chunked', async () => {
    const big = Buffer.alloc(64 * 1024 + 1, 'x')
    const declared = await post(big, sign(big))
    expect([declared.status, declared.json().error]).toEqual([413, 'payload_too_large'])
    const chunked = await sendRaw(server.port, {
      path: PATH,
      body: big,
      headers: ['X-Signature', sign(big)],
      chunked: true,
    })
    expect([chunked.status, chunked.json().error]).toEqual([413, 'payload_too_large'])
  })

  it('answers other methods 405 with Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await sendRaw(server.port, { method, path: PATH })
      expect([answer.status, answer.headers.allow, answer.json().error]).toEqual([
        405,
        'POST',
        'method_not_allowed',
      ])
    }
  })

  it("counts deliveries in the user's registry, with fixed reasons", async () => {
    const exposition = await metrics.metrics()
    expect(exposition).toMatch(/scompler_webhook_deliveries_total\{[^}]*outcome="accepted"/)
    expect(exposition).toMatch(/reason="invalid_signature"/)
    expect(exposition).toMatch(/reason="payload_too_large"/)
    expect(exposition).toMatch(
      /scompler_temporal_start_duration_seconds_count\{result="duplicate"\}/,
    )
  })
})

describe('the Koa middleware in an app with its own routes', () => {
  it("leaves the app's routes to the app", async () => {
    const server = await koaApp(options())
    try {
      const own = await sendRaw(server.port, { method: 'GET', path: '/api/status' })
      expect([own.status, own.json()]).toEqual([200, { app: 'own route' }])
      const elsewhere = await sendRaw(server.port, { method: 'POST', path: '/webhooks/scompler' })
      expect(elsewhere.status).toBe(404)
    } finally {
      await server.close()
    }
  })

  it("shares a registry that already holds the app's own default metrics", async () => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const server = await koaApp(options({ metrics: registry }))
    try {
      const { body, headers } = delivery(uninstallEvent())
      await sendRaw(server.port, { path: PATH, body, headers: Object.entries(headers).flat() })
      const exposition = await registry.metrics()
      expect(exposition).toMatch(/process_cpu_seconds_total/)
      expect(exposition).toMatch(/scompler_webhook_deliveries_total\{[^}]*outcome="accepted"/)
    } finally {
      await server.close()
    }
  })
})
