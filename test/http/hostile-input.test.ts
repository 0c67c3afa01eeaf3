// Hostile and malformed deliveries through real HTTP against the real app and a real Temporal
// server. Each case pins the exact answer; none may start a run unless it is a genuine event.
import { randomUUID } from 'node:crypto'
import { defaultPayloadConverter } from '@temporalio/common'
import { REQUEST_TIMEOUT_MS } from '../../src/http/server'
import { WEBHOOK_PATH } from '../../src/domain'
import { PREVIOUS_SECRET, sign, uninstallEvent, type WireEvent } from '../helpers/events'
import { sendRaw, stallAfter, type RawRequest } from '../helpers/raw-http'
import { useStack } from '../helpers/stack'
import { countRuns } from '../helpers/temporal'

const MAX_BODY = 256 * 1024
// The rotation has ended: only the current secret is configured.
const stack = useStack({ name: 'hostile', api: { maxBodyBytes: MAX_BODY } })

const json = (event: unknown) => JSON.stringify(event)
const event = (overrides: Partial<WireEvent> = {}) => json(uninstallEvent(overrides))
const signedWith = (signature: string, body: string | Buffer): RawRequest => ({
  body,
  headers: ['X-Signature', signature],
})
const signed = (body: string | Buffer): RawRequest => signedWith(sign(body), body)
const withoutKey = (key: keyof WireEvent) => {
  const wire: Partial<WireEvent> = uninstallEvent()
  delete wire[key]
  return json(wire)
}
const nested = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`
const body = event()
const good = sign(body)
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

interface HostileCase {
  name: string
  request: RawRequest
  status: number
  /** The `error` code, or the success `status` for a genuine event. */
  answer?: string
}

const rejected = (status: number, answer: string) => ({ status, answer })
const ACCEPTED = { status: 200, answer: 'accepted' }
const BAD_SIG = rejected(401, 'invalid_signature')
const BAD_EVENT = rejected(400, 'invalid_event')
const BAD_JSON = rejected(400, 'invalid_json')
const STALE = rejected(400, 'stale_event')
const TOO_LARGE = rejected(413, 'payload_too_large')
const NOT_ALLOWED = rejected(405, 'method_not_allowed')
const NOT_FOUND = rejected(404, 'not_found')

const big = 'x'.repeat(MAX_BODY + 1)
const CASES: HostileCase[] = [
  // Signatures
  {
    name: 'signed with another secret',
    request: signedWith(sign(body, 'other'), body),
    ...BAD_SIG,
  },
  {
    name: 'signed with the previous secret after the rotation ended',
    request: signedWith(sign(body, PREVIOUS_SECRET), body),
    ...BAD_SIG,
  },
  { name: 'uppercase hex signature', request: signedWith(good.toUpperCase(), body), ...ACCEPTED },
  {
    name: 'mixed-case hex signature',
    request: ((b) =>
      signedWith(
        sign(b).replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
        b,
      ))(event()),
    ...ACCEPTED,
  },
  { name: 'truncated signature', request: signedWith(good.slice(0, 63), body), ...BAD_SIG },
  { name: 'doubled signature', request: signedWith(good + good, body), ...BAD_SIG },
  { name: 'non-hex signature', request: signedWith(`${good.slice(0, 63)}g`, body), ...BAD_SIG },
  { name: 'sha256= prefixed signature', request: signedWith(`sha256=${good}`, body), ...BAD_SIG },
  {
    name: 'base64 signature',
    request: signedWith(Buffer.from(good, 'hex').toString('base64'), body),
    ...BAD_SIG,
  },
  { name: 'empty signature', request: signedWith('', body), ...BAD_SIG },
  { name: 'no signature header', request: { body }, ...BAD_SIG },
  {
    name: 'two X-Signature headers, one of them valid',
    request: { body, headers: ['X-Signature', good, 'X-Signature', good] },
    ...BAD_SIG,
  },
  {
    name: 'the signature in another header',
    request: { body, headers: ['X-Hub-Signature-256', `sha256=${good}`] },
    ...BAD_SIG,
  },
  {
    name: 'a signature of the re-serialised JSON',
    request: signedWith(
      sign(JSON.stringify(JSON.parse(body))),
      JSON.stringify(JSON.parse(body), null, 1),
    ),
    ...BAD_SIG,
  },
  {
    name: 'bad JSON with a bad signature',
    request: signedWith(sign('{}'), '{not json'),
    ...BAD_SIG,
  },
  // Bodies
  { name: 'empty body', request: signed(''), ...BAD_JSON },
  { name: 'body that is not JSON', request: signed('id=1&event=app.uninstalled'), ...BAD_JSON },
  { name: 'truncated JSON', request: signed(body.slice(0, -1)), ...BAD_JSON },
  {
    name: 'invalid UTF-8',
    request: signed(
      Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    ),
    ...BAD_JSON,
  },
  { name: 'a JSON array', request: signed('[]'), ...BAD_EVENT },
  { name: 'a JSON string', request: signed('"app.uninstalled"'), ...BAD_EVENT },
  { name: 'JSON null', request: signed('null'), ...BAD_EVENT },
  {
    name: 'a number too large for a double',
    request: signed(event().replace(/"account_id":"\d+"/, '"account_id":1e400')),
    ...BAD_EVENT,
  },
  {
    name: 'an account id beyond 2^53 as a number',
    request: signed(event().replace(/"account_id":"\d+"/, '"account_id":9007199254740993')),
    ...BAD_EVENT,
  },
  {
    name: 'data nested 100,000 deep',
    request: signed(event().replace(/"data":\{[^}]*\}/, `"data":${nested(100_000)}`)),
    ...BAD_EVENT,
  },
  {
    name: 'data nested 40 deep',
    request: signed(event().replace(/"data":\{[^}]*\}/, `"data":${nested(40)}`)),
    ...BAD_EVENT,
  },
  {
    name: '__proto__ in place of the envelope',
    request: signed(`{"__proto__":${body}}`),
    ...BAD_EVENT,
  },
  {
    name: '__proto__ inside data',
    request: signed(event().replace('"data":{', '"data":{"__proto__":{"polluted":true},')),
    ...ACCEPTED,
  },
  {
    name: 'a duplicate id key (the last one counts)',
    request: signed(event().replace('{', '{"id":"not-a-uuid",')),
    ...ACCEPTED,
  },
  {
    name: 'a UTF-8 byte order mark',
    request: signed(Buffer.concat([BOM, Buffer.from(event())])),
    ...ACCEPTED,
  },
  { name: 'no Content-Type, chunked', request: { ...signed(event()), chunked: true }, ...ACCEPTED },
  { name: 'over the size limit, signed', request: signed(big), ...TOO_LARGE },
  { name: 'over the size limit, unsigned', request: { body: big }, ...TOO_LARGE },
  {
    name: 'over the size limit, chunked',
    request: { ...signed(big), chunked: true },
    ...TOO_LARGE,
  },
  // Headers
  {
    name: 'an oversized header (20 KB)',
    request: { body, headers: ['X-Signature', good, 'X-Padding', 'p'.repeat(20_000)] },
    status: 431,
  },
  // Methods and paths
  ...['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((method) => ({
    name: `${method} on the webhook path`,
    request: { ...signed(body), method },
    ...NOT_ALLOWED,
  })),
  { name: 'HEAD on the webhook path', request: { method: 'HEAD' }, status: 405 },
  { name: 'an unknown path', request: { ...signed(body), path: '/webhooks/other' }, ...NOT_FOUND },
  {
    name: 'a path below the webhook',
    request: { ...signed(body), path: `${WEBHOOK_PATH}/x` },
    ...NOT_FOUND,
  },
  {
    name: 'an encoded dot-dot path',
    request: { ...signed(body), path: '/webhooks/%2e%2e/scompler' },
    ...NOT_FOUND,
  },
  // occurred_at
  {
    name: 'occurred_at older than WEBHOOK_MAX_AGE',
    request: signed(event({ occurred_at: new Date(Date.now() - 73 * 3600_000).toISOString() })),
    ...STALE,
  },
  {
    name: 'occurred_at 6 minutes in the future',
    request: signed(event({ occurred_at: new Date(Date.now() + 6 * 60_000).toISOString() })),
    ...STALE,
  },
  {
    name: 'occurred_at in words',
    request: signed(event({ occurred_at: 'yesterday' })),
    ...BAD_EVENT,
  },
  {
    name: 'occurred_at without a time zone',
    request: signed(event({ occurred_at: '2026-01-01T10:00:00' })),
    ...BAD_EVENT,
  },
  {
    name: 'occurred_at in month 13',
    request: signed(event({ occurred_at: '2026-13-01T10:00:00Z' })),
    ...BAD_EVENT,
  },
  {
    name: 'occurred_at as epoch seconds',
    request: signed(event({ occurred_at: 1764300000 as unknown as string })),
    ...BAD_EVENT,
  },
  // ids and other fields
  { name: 'an id that is not a UUID', request: signed(event({ id: 'evt_123' })), ...BAD_EVENT },
  { name: 'an empty id', request: signed(event({ id: '' })), ...BAD_EVENT },
  { name: 'a UUID in braces', request: signed(event({ id: `{${randomUUID()}}` })), ...BAD_EVENT },
  { name: 'a numeric id', request: signed(event({ id: 42 as unknown as string })), ...BAD_EVENT },
  { name: 'no id', request: signed(withoutKey('id')), ...BAD_EVENT },
  { name: 'no event', request: signed(withoutKey('event')), ...BAD_EVENT },
  {
    name: 'an event name with SQL in it',
    request: signed(event({ event: "x'; DROP TABLE installations;--" })),
    ...BAD_EVENT,
  },
  { name: 'a negative account id', request: signed(event({ account_id: -1 })), ...BAD_EVENT },
  {
    name: 'an account id with letters',
    request: signed(event({ account_id: '12a' })),
    ...BAD_EVENT,
  },
  {
    name: 'data as an array',
    request: signed(event({ data: [] as unknown as Record<string, unknown> })),
    ...BAD_EVENT,
  },
  { name: 'no data', request: signed(withoutKey('data')), ...BAD_EVENT },
]

describe('hostile input', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40)
  })

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = stack.api.starts()
    const res = await sendRaw(stack.api.port, c.request)
    expect(res.status).toBe(c.status)
    if (c.answer === 'accepted') expect(res.json()).toMatchObject({ status: 'accepted' })
    else if (c.answer) expect(res.json()).toEqual({ error: c.answer, message: expect.any(String) })
    expect(stack.api.starts() - before).toBe(c.answer === 'accepted' ? 1 : 0)
    expect((await sendRaw(stack.api.port, { method: 'GET', path: '/healthz' })).status).toBe(200)
  })

  it('answers a reused id with other content as a duplicate, keeping the first content', async () => {
    const first = uninstallEvent()
    const impostor = { ...first, account_id: '1', data: { installation_id: randomUUID() } }
    expect((await sendRaw(stack.api.port, signed(json(first)))).json().status).toBe('accepted')
    const res = await sendRaw(stack.api.port, signed(json(impostor)))
    expect(res.json()).toEqual({ status: 'duplicate', eventId: first.id, workflowId: first.id })
    expect(await countRuns(stack.client, first.id, 1)).toBe(1)
    const history = await stack.client.workflow.getHandle(first.id).fetchHistory()
    const [input] =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []
    expect(defaultPayloadConverter.fromPayload(input!)).toMatchObject({
      accountId: String(first.account_id),
      data: first.data,
    })
  })

  it('pollutes no prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('started runs only for the genuine events', async () => {
    const genuine = CASES.filter((c) => c.answer === 'accepted').length + 1
    let seen = 0
    for (let attempt = 0; attempt < 50 && seen < genuine; attempt++) {
      seen = (await stack.client.workflow.count(`TaskQueue = '${stack.taskQueue}'`)).count
      if (seen < genuine) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await stack.client.workflow.count(`TaskQueue = '${stack.taskQueue}'`)).count).toBe(
      genuine,
    )
  })
})

describe('slow senders', () => {
  it(`are cut off after REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms) with 408, headers or body`, async () => {
    const head = `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\n`
    const [headers, slowBody] = await Promise.all([
      stallAfter(stack.api.port, `${head}X-Signature: ${good}\r\n`),
      stallAfter(
        stack.api.port,
        `${head}X-Signature: ${good}\r\nContent-Length: 1000\r\n\r\n{"id":`,
      ),
    ])
    for (const cut of [headers, slowBody]) {
      expect(cut.statusLine).toBe('HTTP/1.1 408 Request Timeout')
      // Node's default checks timeouts only every 30 s; ours every second.
      expect(cut.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS + 15_000)
    }
    expect((await sendRaw(stack.api.port, { method: 'GET', path: '/healthz' })).status).toBe(200)
  }, 60_000)
})
