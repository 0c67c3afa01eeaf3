// Signed deliveries as Scompler makes them: HMAC-SHA256 (hex) of the raw body in X-Signature.
import { createHmac, randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

export interface TestEvent {
  id: string
  event: string
  account_id: string
  data: Record<string, unknown>
  occurred_at: string
}

export interface Answer {
  status: number
  body: { status?: string; runId?: string; error?: string }
}

/** Where to deliver: the API's loopback port directly, or Caddy's HTTPS port with its local CA. */
export type Target =
  { kind: 'direct'; port: number } | { kind: 'https'; port: number; hostname: string; ca: string }

export function testEvent(event: string, data: Record<string, unknown>): TestEvent {
  return { id: randomUUID(), event, account_id: '42', data, occurred_at: new Date().toISOString() }
}

export function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

export function deliver(
  target: Target,
  secret: string,
  event: TestEvent,
  signature = sign(secret, JSON.stringify(event)),
): Promise<Answer> {
  const body = JSON.stringify(event)
  return post(target, '/webhooks/scompler', body, {
    'content-type': 'application/json',
    'x-signature': signature,
  })
}

export function post(
  target: Target,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const common = {
    host: '127.0.0.1',
    port: target.port,
    path,
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
    },
    timeout: 15_000,
  }
  return new Promise((resolve, reject) => {
    const request =
      target.kind === 'direct'
        ? httpRequest(common)
        : httpsRequest({
            ...common,
            headers: { ...common.headers, host: target.hostname },
            servername: target.hostname,
            ca: target.ca,
          })
    request.on('response', (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => (text += chunk.toString()))
      response.on('end', () => {
        let parsed: Answer['body'] = {}
        try {
          parsed = JSON.parse(text) as Answer['body']
        } catch {
          parsed = { error: text.slice(0, 200) }
        }
        resolve({ status: response.statusCode ?? 0, body: parsed })
      })
    })
    request.on('timeout', () => request.destroy(new Error(`${path}: timed out`)))
    request.on('error', reject)
    request.end(body)
  })
}
