import { readFileSync } from 'node:fs'
import path from 'node:path'
import { signPayload, verifySignature, WebhookVerificationError } from '../../src/signature'

// Known answers computed with OpenSSL, the implementation Scompler's page cites.
const VECTORS_FILE = path.resolve(__dirname, '../../../shared/scompler/signature-vectors.json')
const { vectors } = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as {
  vectors: Array<{ why: string; secret: string; body_utf8: string; x_signature: string }>
}

const secrets = { current: 'app-secret' }
const body = Buffer.from('{"id":"b7f9c2d4-1c4f-4a6e-9c9b-8e2d8a6e5f21"}')
const good = signPayload('app-secret', body)

function rejects(signature: string | string[] | undefined, payload = body): void {
  expect(() => verifySignature(secrets, payload, signature)).toThrow(WebhookVerificationError)
}

describe('signature verification', () => {
  it('has known-answer vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4)
  })

  it.each(vectors.map((v) => [v.why, v] as const))('matches the OpenSSL vector: %s', (_why, v) => {
    const payload = Buffer.from(v.body_utf8, 'utf8')
    expect(signPayload(v.secret, payload)).toBe(v.x_signature)
    expect(verifySignature({ current: v.secret }, payload, v.x_signature)).toBe('current')
  })

  it('accepts the signature in uppercase hex', () => {
    expect(verifySignature(secrets, body, good.toUpperCase())).toBe('current')
  })

  it('accepts the previous secret during a rotation, and says so', () => {
    const signature = signPayload('old-secret', body)
    expect(
      verifySignature({ current: 'new-secret', previous: 'old-secret' }, body, signature),
    ).toBe('previous')
  })

  it('rejects a signature made with another secret', () =>
    rejects(signPayload('other-secret', body)))
  it('rejects the previous secret once the rotation is over', () =>
    rejects(signPayload('old-secret', body)))
  it('rejects a truncated signature', () => rejects(good.slice(0, 63)))
  it('rejects a signature with extra characters', () => rejects(`${good}0`))
  it('rejects a doubled signature', () => rejects(good + good))
  it('rejects non-hex characters of the right length', () => rejects(`${good.slice(0, 63)}g`))
  it('rejects a sha256= prefix', () => rejects(`sha256=${good}`))
  it('rejects an empty signature', () => rejects(''))
  it('rejects a missing signature', () => rejects(undefined))
  it('rejects repeated headers', () => rejects([good, good]))
  it('rejects a signature over other bytes', () =>
    rejects(good, Buffer.from(`${body.toString()} `)))

  it('says nothing about where the signature differs', () => {
    const almost = `${good.slice(0, 60)}0000`
    expect(() => verifySignature(secrets, body, almost)).toThrow(
      'X-Signature does not match the request body',
    )
  })

  it('rejects without capturing a stack, and leaves other errors their stacks', () => {
    const error = new WebhookVerificationError('not genuine')
    expect(error.stack).toBe('WebhookVerificationError: not genuine')
    expect(new Error('a bug').stack?.split('\n').length).toBeGreaterThan(1)
  })
})
