import { request } from 'node:http'
import { connect } from 'node:net'

export interface RawRequest {
  method?: string
  path?: string
  /** A flat [name, value, name, value…] list, so a header may repeat. */
  headers?: string[]
  body?: string | Buffer
  /** Sent without Content-Length, in chunks. */
  chunked?: boolean
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: () => Record<string, unknown>
}

/** One request over a fresh connection, with exactly the headers given (and Host). */
export function sendRaw(port: number, spec: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const body = spec.body ?? ''
  const headers = ['Host', `127.0.0.1:${port}`, ...(spec.headers ?? [])]
  if (!spec.chunked) headers.push('Content-Length', String(Buffer.byteLength(body)))
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: spec.method ?? 'POST',
        path: spec.path ?? '/webhooks/scompler',
        headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          })
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    if (spec.chunked) {
      const bytes = Buffer.from(body)
      for (let at = 0; at < bytes.length; at += 1000) req.write(bytes.subarray(at, at + 1000))
      req.end()
    } else req.end(body)
  })
}

/**
 * A sender that writes `head` and then goes quiet, never finishing its request. Resolves with the
 * status line the server answers with, or '' if it just closes, and how long that took.
 */
export function stallAfter(
  port: number,
  head: string,
): Promise<{ statusLine: string; elapsedMs: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head))
    let received = ''
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()))
    socket.on('close', () =>
      resolve({ statusLine: received.split('\r\n')[0] ?? '', elapsedMs: Date.now() - started }),
    )
    socket.on('error', reject)
    socket.setTimeout(60_000, () => socket.destroy(new Error('the server never cut us off')))
  })
}
