// X-Signature on any Web-standard runtime (Deno, Bun, edge workers): Web Crypto only, no node:
// imports. src/http/signature.ts is the synchronous Node twin; both share signature-checks.ts and
// agree on the same known-answer vectors.
import {
  assertSignatureFormat,
  mismatch,
  type SecretMatch,
  type WebhookSecrets,
} from './signature-checks'

export { WebhookVerificationError } from './signature-checks'

const utf8 = new TextEncoder()
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<HmacKey> {
  return crypto.subtle.importKey(
    'raw',
    utf8.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage],
  )
}

function bytes(payload: Uint8Array | string): Uint8Array {
  return typeof payload === 'string' ? utf8.encode(payload) : payload
}

export async function signPayload(secret: string, payload: Uint8Array | string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), bytes(payload))
  return Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Returns which secret signed `payload`, or throws WebhookVerificationError. */
export async function verifySignature(
  secrets: WebhookSecrets,
  payload: Uint8Array,
  signature: string | string[] | undefined,
): Promise<SecretMatch> {
  assertSignatureFormat(signature)
  const received = fromHex(signature)
  if (await matches(secrets.current, payload, received)) return 'current'
  if (secrets.previous !== undefined && (await matches(secrets.previous, payload, received))) {
    return 'previous'
  }
  throw mismatch()
}

// subtle.verify compares in constant time (unlike comparing the hex strings).
async function matches(secret: string, payload: Uint8Array, received: Uint8Array) {
  return crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), received, payload)
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
