// npm start's admin socket (the CLI's way to the embedded store) validates what it is sent with
// the envelope's own schemas and answers malformed requests with 400, never 500.
import { randomUUID } from 'node:crypto'
import { request, type IncomingMessage } from 'node:http'
import path from 'node:path'
import { adminClient, type AdminClient } from '../../src/admin/client'
import { startEmbeddedStore, type EmbeddedStore } from '../helpers/embedded-store'

let admin: AdminClient
let embedded: EmbeddedStore

beforeAll(async () => {
  embedded = await startEmbeddedStore('admin-socket')
  admin = adminClient(embedded.dataDir)
})
afterAll(async () => {
  await embedded?.close()
})

const installation = () => ({
  installationId: randomUUID(),
  accountId: '4242',
  accessToken: 'token-that-must-not-leak',
})

describe('the admin socket', () => {
  it('adds and lists an installation', async () => {
    const input = installation()
    expect(await admin.call('POST', '/installations', input)).toEqual({
      status: 200,
      body: { result: 'added' },
    })
    const listed = await admin.call<Array<{ installationId: string }>>(
      'GET',
      '/installations?account_id=4242',
    )
    expect(listed.body.map((row) => row.installationId)).toContain(input.installationId)
  })

  it('answers a body that is not JSON with 400', async () => {
    const answer = await rawCall('POST', '/installations', '{"installationId": ')
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({ error: 'bad_request', message: 'Body is not JSON' })
  })

  it.each([
    ['a missing field', { accountId: '1', accessToken: 't' }, 'installationId'],
    ['an installation id that is not a UUID', { ...installation(), installationId: 'x' }, 'UUID'],
    ['an account id that is not decimal', { ...installation(), accountId: '4x' }, 'accountId'],
    ['an empty token', { ...installation(), accessToken: '' }, 'accessToken'],
    ['an unknown field', { ...installation(), admin: true }, 'admin'],
  ])('answers %s with 400 naming the field', async (_why, body, named) => {
    const answer = await admin.call<{ error: string; message: string }>(
      'POST',
      '/installations',
      body,
    )
    expect(answer.status).toBe(400)
    expect(answer.body.error).toBe('bad_request')
    expect(answer.body.message).toContain(named)
    expect(answer.body.message).not.toContain('token-that-must-not-leak')
  })

  it('refuses a body over 64 KiB with 413', async () => {
    const answer = await admin.call('POST', '/installations', {
      ...installation(),
      accessToken: 'x'.repeat(70_000),
    })
    expect(answer.status).toBe(413)
  })

  it.each([
    ['DELETE', '/installations?id=not-a-uuid'],
    ['GET', '/ledger?event_id=not-a-uuid'],
    ['GET', '/installations?account_id=abc'],
    ['GET', '/recorded-events?limit=10'],
    ['GET', '/recorded-events?event=x&limit=0'],
    ['GET', '/recorded-events?event=x&since=yesterday&limit=10'],
  ])('answers %s %s with 400', async (method, url) => {
    expect((await admin.call(method, url)).status).toBe(400)
  })
})

/** A request with a body the admin client would never send. */
function rawCall(method: string, url: string, body: string) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(
      { socketPath: path.join(embedded.dataDir, 'admin.sock'), method, path: url },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
