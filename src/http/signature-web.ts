// X-Signature on any Web-standard runtime (Deno, Bun, edge workers): Web Crypto only, no node:
// imports. src/http/signature.ts is the synchronous Node twin; both share the checks below and agree
// on the same known-answer vectors.
const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/i

export interface WebhookSecrets {
  current: string
  /** Still accepted during a secret rotation. */
  previous?: string
}

export type SecretMatch = 'current' | 'previous'

/** The request is not genuine. Deliberately says nothing about which byte was wrong. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError'
  constructor(message: string) {
    // An expected answer (forgeries may come by the thousand), not a bug: a stack would say
    // nothing, and capturing it cost a tenth of a rejected request's CPU (bench/, --cpu-prof).
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message)
    Error.stackTraceLimit = limit
  }
}

/**
 * Checked before any comparison: a wrong length cannot be compared in constant time, and a
 * repeated header arrives as a list (or joined with ", ").
 */
export function assertSignatureFormat(
  signature: string | string[] | undefined,
): asserts signature is string {
  if (typeof signature !== 'string' || !SIGNATURE_FORMAT.test(signature)) {
    throw new WebhookVerificationError('X-Signature is missing or is not 64 hex characters')
  }
}

export function mismatch(): WebhookVerificationError {
  return new WebhookVerificationError('X-Signature does not match the request body')
}

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
