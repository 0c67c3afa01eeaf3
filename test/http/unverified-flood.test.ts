// A flood of slow uploads that are not (and will never be) verified, through real HTTP on
// loopback against the real app and a real Temporal server: beyond the bound on unverified bodies
// the API answers 503 `overloaded` at once, genuine deliveries still get 200 during the flood, and
// every way a read can end (finished, disconnected, timed out, too large) gives its share back.
import { connect, type Socket } from 'node:net'
import type { Server } from 'node:http'
import type { Client } from '@temporalio/client'
import { createApp } from '../../src/http/app'
import { createApiMetrics, type ApiMetrics } from '../../src/http/metrics'
import { createHttpServer } from '../../src/http/server'
import { listen, type Listening } from '../../src/shared/listen'
import { createLogger } from '../../src/shared/logger'
import { createEventStarter } from '../../src/temporal/start-event'
import { SECRET, sign, uninstallEvent } from '../helpers/events'
import { sendRaw } from '../helpers/raw-http'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'

const MiB = 1024 * 1024
const MAX_BODY = MiB
// Large bodies may take three quarters of each bound: 6 MiB, so six 1 MiB uploads, and 12 requests.
const LIMITS = { maxBytes: 8 * MiB, maxRequests: 16 }
const FAKE_SIGNATURE = 'ab'.repeat(32)

let client: Client

beforeAll(async () => {
  client = await connectClient()
})
afterAll(async () => {
  await client.connection.close()
})

interface FloodApi {
  port: number
  metrics: ApiMetrics
  close: () => Promise<void>
}

async function startFloodApi(requestTimeoutMs = 60_000): Promise<FloodApi> {
  const metrics = createApiMetrics()
  const app = createApp({
    secrets: { current: SECRET },
    maxBodyBytes: MAX_BODY,
    unverified: LIMITS,
    maxAgeMs: 72 * 3600_000,
    startEvent: createEventStarter(client, uniqueTaskQueue('flood')),
    readiness: async () => undefined,
    logger: createLogger({ level: 'silent' }),
    metrics,
    tracer: undefined,
  })
  const server: Server = createHttpServer(app.callback(), requestTimeoutMs)
  const listening: Listening = await listen(server, { port: 0, host: '127.0.0.1' })
  return {
    port: Number(new URL(listening.url).port),
    metrics,
    close: async () => {
      server.closeAllConnections()
      await listening.close()
    },
  }
}

interface SlowUpload {
  socket: Socket
  /** The status line the server answered with, or '' when it closed without one. */
  answer: Promise<string>
  answeredInMs: Promise<number>
}

/**
 * An unsigned (well-formed but wrong signature) upload that declares `declared` bytes, sends
 * `sent` of them and then goes quiet, as a slow or malicious sender does.
 */
function slowUpload(port: number, declared: number | 'chunked', sent: number): SlowUpload {
  const started = Date.now()
  const socket = connect(port, '127.0.0.1')
  const length =
    declared === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`
  socket.on('connect', () => {
    socket.write(
      `POST /webhooks/scompler HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `X-Signature: ${FAKE_SIGNATURE}\r\n${length}\r\n\r\n`,
    )
    const bytes = Buffer.alloc(sent, 'x')
    socket.write(declared === 'chunked' ? chunk(bytes) : bytes)
  })
  let received = ''
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1')
      if (received.includes('\r\n')) resolve(received.split('\r\n')[0]!)
    })
    socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''))
    socket.on('error', () => undefined)
  })
  return { socket, answer, answeredInMs: answer.then(() => Date.now() - started) }
}

const chunk = (bytes: Buffer) =>
  Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])

async function held(metrics: ApiMetrics): Promise<{ bytes: number; requests: number }> {
  const [bytes, requests] = await Promise.all([
    metrics.unverifiedBytes.get(),
    metrics.unverifiedRequests.get(),
  ])
  return { bytes: bytes.values[0]?.value ?? 0, requests: requests.values[0]?.value ?? 0 }
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const heldIs = (metrics: ApiMetrics, bytes: number, requests: number) =>
  eventually(async () => {
    const now = await held(metrics)
    return now.bytes === bytes && now.requests === requests
  }, `${bytes} bytes and ${requests} requests held`)

async function deliverGenuine(port: number) {
  const body = JSON.stringify(uninstallEvent())
  return sendRaw(port, { body, headers: ['X-Signature', sign(body)] })
}

describe('a flood of unverified bodies', () => {
  let api: FloodApi
  const uploads: SlowUpload[] = []
  beforeAll(async () => {
    api = await startFloodApi()
  })
  afterAll(async () => {
    for (const upload of uploads) upload.socket.destroy()
    await api.close()
  })

  it('is refused beyond the bound with 503 overloaded and Retry-After, at once', async () => {
    // Twenty slow 1 MiB uploads, each stalled after its first 64 KiB: six fit in the bound.
    for (let i = 0; i < 20; i++) uploads.push(slowUpload(api.port, MAX_BODY, 64 * 1024))
    const answered = await Promise.all(
      uploads.map((upload) =>
        Promise.race([upload.answer, new Promise<null>((r) => setTimeout(() => r(null), 3000))]),
      ),
    )
    const refused = answered.filter((line) => line !== null)
    expect(refused).toHaveLength(14)
    expect(new Set(refused)).toEqual(new Set(['HTTP/1.1 503 Service Unavailable']))
    expect(await held(api.metrics)).toEqual({ bytes: 6 * MiB, requests: 6 })

    // The full answer, as a sender sees it.
    const another = await sendRaw(api.port, {
      body: Buffer.alloc(512 * 1024, 'x'),
      headers: ['X-Signature', FAKE_SIGNATURE],
    })
    expect(another.status).toBe(503)
    expect(another.headers['retry-after']).toBe('5')
    expect(another.json()).toEqual({
      error: 'overloaded',
      message: 'Too many requests being read; retry later',
    })
    // Counted, with its fixed reason.
    const { values } = await api.metrics.deliveries.get()
    const overloaded = values.filter((v) => v.labels.reason === 'overloaded')
    expect(overloaded.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThanOrEqual(15)
    expect(overloaded.every((v) => v.labels.outcome === 'rejected')).toBe(true)
  })

  it('still accepts genuine deliveries while the flood holds its share', async () => {
    expect(await held(api.metrics)).toEqual({ bytes: 6 * MiB, requests: 6 })
    // One at a time, then eight at once, while the six stalled uploads are still in flight.
    for (let i = 0; i < 3; i++) {
      const answer = await deliverGenuine(api.port)
      expect([answer.status, answer.json().status]).toEqual([200, 'accepted'])
    }
    const together = await Promise.all(Array.from({ length: 8 }, () => deliverGenuine(api.port)))
    expect(together.map((answer) => answer.status)).toEqual(Array(8).fill(200))
    // More large uploads are still refused; the stalled ones have not been answered.
    const late = slowUpload(api.port, MAX_BODY, 1024)
    uploads.push(late)
    expect(await late.answer).toBe('HTTP/1.1 503 Service Unavailable')
    expect(await held(api.metrics)).toEqual({ bytes: 6 * MiB, requests: 6 })
  })

  it('gives the share back when the senders disconnect, and admits new uploads', async () => {
    for (const upload of uploads) upload.socket.destroy()
    uploads.length = 0
    await heldIs(api.metrics, 0, 0)
    for (let i = 0; i < 6; i++) uploads.push(slowUpload(api.port, MAX_BODY, 1024))
    await heldIs(api.metrics, 6 * MiB, 6)
    for (const upload of uploads) upload.socket.destroy()
    uploads.length = 0
    await heldIs(api.metrics, 0, 0)
  })

  it('counts a body without a declared length at the limit', async () => {
    const chunked = Array.from({ length: 7 }, () => slowUpload(api.port, 'chunked', 1024))
    uploads.push(...chunked)
    await heldIs(api.metrics, 6 * MiB, 6)
    expect(await Promise.race(chunked.map((upload) => upload.answer))).toBe(
      'HTTP/1.1 503 Service Unavailable',
    )
    for (const upload of uploads) upload.socket.destroy()
    uploads.length = 0
    await heldIs(api.metrics, 0, 0)
  })

  it('keeps a quarter of the requests for small bodies, and bounds those too', async () => {
    // Small bodies (64 KiB or less declared) may use all 16 requests: 12 large-share, then 4.
    const small = Array.from({ length: 17 }, () => slowUpload(api.port, 1000, 10))
    uploads.push(...small)
    await heldIs(api.metrics, 16 * 1000, 16)
    expect(await Promise.race(small.map((upload) => upload.answer))).toBe(
      'HTTP/1.1 503 Service Unavailable',
    )
    for (const upload of uploads) upload.socket.destroy()
    uploads.length = 0
    await heldIs(api.metrics, 0, 0)
  })

  it('gives the share back after every answer: verified, refused, too large', async () => {
    expect((await deliverGenuine(api.port)).status).toBe(200)
    const forged = await sendRaw(api.port, {
      body: Buffer.alloc(MAX_BODY, 'x'),
      headers: ['X-Signature', FAKE_SIGNATURE],
    })
    expect(forged.status).toBe(401)
    const grown = await sendRaw(api.port, {
      body: Buffer.alloc(MAX_BODY + 1, 'x'),
      headers: ['X-Signature', FAKE_SIGNATURE],
      chunked: true,
    })
    expect(grown.status).toBe(413)
    await heldIs(api.metrics, 0, 0)
  })
})

describe('slow uploads cut off by the request timeout', () => {
  it('give their share back', async () => {
    const api = await startFloodApi(1500)
    try {
      const uploads = Array.from({ length: 6 }, () => slowUpload(api.port, MAX_BODY, 1024))
      await heldIs(api.metrics, 6 * MiB, 6)
      const lines = await Promise.all(uploads.map((upload) => upload.answer))
      expect(lines.every((line) => line === '' || line.startsWith('HTTP/1.1 408'))).toBe(true)
      await heldIs(api.metrics, 0, 0)
      expect((await deliverGenuine(api.port)).status).toBe(200)
      for (const upload of uploads) upload.socket.destroy()
    } finally {
      await api.close()
    }
  })
})
