// The bound on unverified bodies holds in a user's app too: each mounted middleware has its own
// budget (32 bodies of maxBodyBytes, 64 requests; large bodies may take three quarters of it).
// Slow unsigned uploads over real loopback HTTP; genuine deliveries still start real runs.
import { connect, type Socket } from 'node:net'
import Router from '@koa/router'
import type { Client } from '@temporalio/client'
import Koa from 'koa'
import { Registry } from 'prom-client'
import { createWebhookMiddleware } from '../../src/lib'
import { delivery, SECRET, uninstallEvent } from '../helpers/events'
import { sendRaw } from '../helpers/raw-http'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'
import { capturedLogger, serve, type Running } from './mounted-server'

const PATH = '/hooks/scompler'
const MAX_BODY = 100_000
// Three quarters of 32 × 100 000 bytes: 24 large uploads fit, the 25th is refused.
const FITTING_UPLOADS = 24

let client: Client
let server: Running
const metrics = new Registry()
const sockets: Socket[] = []

beforeAll(async () => {
  client = await connectClient()
  const router = new Router()
  router.all(
    PATH,
    createWebhookMiddleware({
      secret: SECRET,
      client,
      taskQueue: uniqueTaskQueue('mounted-flood'),
      maxBodyBytes: MAX_BODY,
      metrics,
      logger: capturedLogger().logger,
    }),
  )
  const app = new Koa().use(router.routes())
  // Koa prints each upload the test cuts off mid-body (a client error, not the webhook's).
  app.silent = true
  server = await serve(app.callback())
})
afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await server.close()
  await client.connection.close()
})

/** Declares a full body, sends 1 KiB of it and goes quiet; resolves with the status line. */
function slowUpload(): Promise<string> {
  const socket = connect(server.port, '127.0.0.1')
  sockets.push(socket)
  socket.on('connect', () => {
    socket.write(
      `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Signature: ${'ab'.repeat(32)}\r\n` +
        `Content-Length: ${MAX_BODY}\r\n\r\n${'x'.repeat(1024)}`,
    )
  })
  let received = ''
  return new Promise((resolve) => {
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1')
      if (received.includes('\r\n')) resolve(received.split('\r\n')[0]!)
    })
    socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''))
    socket.on('error', () => undefined)
  })
}

const gauge = async (name: string) =>
  (await metrics.getSingleMetric(name)!.get()).values[0]?.value ?? 0

async function heldBytesBecome(bytes: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await gauge('scompler_http_unverified_body_bytes')) !== bytes) {
    if (Date.now() > deadline) throw new Error(`the budget never held ${bytes} bytes`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

it('refuses uploads beyond the bound with 503 overloaded at once, and still takes genuine ones', async () => {
  const answers = Array.from({ length: FITTING_UPLOADS + 6 }, slowUpload)
  const settled = await Promise.all(
    answers.map((answer) =>
      Promise.race([answer, new Promise<null>((resolve) => setTimeout(resolve, 3000, null))]),
    ),
  )
  const refused = settled.filter((line) => line !== null)
  expect(refused).toEqual(Array(6).fill('HTTP/1.1 503 Service Unavailable'))
  await heldBytesBecome(FITTING_UPLOADS * MAX_BODY)

  const overloaded = await sendRaw(server.port, {
    path: PATH,
    body: Buffer.alloc(MAX_BODY, 'x'),
    headers: ['X-Signature', 'ab'.repeat(32)],
  })
  expect([overloaded.status, overloaded.headers['retry-after'], overloaded.json().error]).toEqual([
    503,
    '5',
    'overloaded',
  ])
  // A genuine event is a few kilobytes: the quarter kept for small bodies lets it through.
  const { body, headers } = delivery(uninstallEvent())
  const genuine = await sendRaw(server.port, {
    path: PATH,
    body,
    headers: Object.entries(headers).flat(),
  })
  expect([genuine.status, genuine.json().status]).toEqual([200, 'accepted'])
  expect(await metrics.metrics()).toMatch(
    /scompler_webhook_deliveries_total\{[^}]*outcome="rejected",reason="overloaded"[^}]*\} [1-9]/,
  )

  for (const socket of sockets) socket.destroy()
  await heldBytesBecome(0)
  expect(await gauge('scompler_http_unverified_requests')).toBe(0)
})
