import * as node from '../../src/http/signature'
import * as web from '../../src/http/signature-web'
import { loadVectors, verificationCases } from '../fixtures/signature-cases'

type Sign = (secret: string, payload: Uint8Array) => Promise<string>
type Verify = (...args: Parameters<typeof node.verifySignature>) => Promise<node.SecretMatch>

const implementations: Array<[string, { sign: Sign; verify: Verify }]> = [
  [
    'node:crypto (src/http/signature.ts)',
    {
      sign: async (secret, payload) => node.signPayload(secret, payload),
      verify: async (...args) => node.verifySignature(...args),
    },
  ],
  [
    'Web Crypto (src/http/signature-web.ts)',
    { sign: web.signPayload, verify: web.verifySignature },
  ],
]
const vectors = loadVectors()
const utf8 = new TextEncoder()

describe.each(implementations)('signature verification with %s', (_name, { sign, verify }) => {
  it('has known-answer vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4)
  })

  it.each(vectors.map((v) => [v.why, v] as const))(
    'signs the OpenSSL vector: %s',
    async (_w, v) => {
      expect(await sign(v.secret, utf8.encode(v.body_utf8))).toBe(v.x_signature)
    },
  )

  it.each(verificationCases().map((c) => [c.expected, c.name, c] as const))(
    'answers %s for %s',
    async (expected, _name, c) => {
      const answer = verify(c.secrets, utf8.encode(c.body), c.signature)
      if (expected === 'rejected')
        await expect(answer).rejects.toThrow(node.WebhookVerificationError)
      else await expect(answer).resolves.toBe(expected)
    },
  )

  it('says nothing about where the signature differs', async () => {
    const body = utf8.encode('{}')
    const almost = `${(await sign('app-secret', body)).slice(0, 60)}0000`
    await expect(verify({ current: 'app-secret' }, body, almost)).rejects.toThrow(
      /^X-Signature does not match the request body$/,
    )
  })

  it('rejects without capturing a stack, and leaves other errors their stacks', () => {
    const error = new web.WebhookVerificationError('not genuine')
    expect(error.stack).toBe('WebhookVerificationError: not genuine')
    expect(new Error('a bug').stack?.split('\n').length).toBeGreaterThan(1)
  })
})
