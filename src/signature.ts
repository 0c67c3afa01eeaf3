// X-Signature is the lowercase hex HMAC-SHA256 of the exact raw request bytes, keyed by the app
// secret (Scompler's webhooks page: OpenSSL::HMAC.hexdigest('SHA256', app_secret, payload)).
// Pure: depends only on node:crypto and knows nothing of HTTP frameworks.
import { createHmac, timingSafeEqual } from 'node:crypto'

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

export function signPayload(secret: string, payload: Uint8Array | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex')
}

/** Returns which secret signed `payload`, or throws WebhookVerificationError. */
export function verifySignature(
  secrets: WebhookSecrets,
  payload: Uint8Array,
  signature: string | string[] | undefined,
): SecretMatch {
  // Checked before any comparison: timingSafeEqual throws on unequal lengths, and a repeated
  // header arrives as a list (or joined with ", ").
  if (typeof signature !== 'string' || !SIGNATURE_FORMAT.test(signature)) {
    throw new WebhookVerificationError('X-Signature is missing or is not 64 hex characters')
  }
  const received = Buffer.from(signature, 'hex')
  if (matches(secrets.current, payload, received)) return 'current'
  if (secrets.previous !== undefined && matches(secrets.previous, payload, received)) {
    return 'previous'
  }
  throw new WebhookVerificationError('X-Signature does not match the request body')
}

function matches(secret: string, payload: Uint8Array, received: Buffer): boolean {
  const expected = createHmac('sha256', secret).update(payload).digest()
  return timingSafeEqual(expected, received)
}
