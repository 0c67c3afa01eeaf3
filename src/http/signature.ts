// X-Signature is the lowercase hex HMAC-SHA256 of the exact raw request bytes, keyed by the app
// secret (Scompler's webhooks page: OpenSSL::HMAC.hexdigest('SHA256', app_secret, payload)).
// Pure: depends only on node:crypto and knows nothing of HTTP frameworks. The format check and
// the error are shared with the Web Crypto twin (signature-web.ts), so both answer alike.
import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  assertSignatureFormat,
  mismatch,
  type SecretMatch,
  type WebhookSecrets,
} from './signature-checks'

export { WebhookVerificationError, type SecretMatch, type WebhookSecrets } from './signature-checks'

export function signPayload(secret: string, payload: Uint8Array | string): string {
  return createHmac('sha256', secret).update(payload).digest('hex')
}

/** The public spelling (body first, as in the package's docs): the X-Signature of `body`. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return signPayload(secret, body)
}

/** Returns which secret signed `payload`, or throws WebhookVerificationError. */
export function verifySignature(
  secrets: WebhookSecrets,
  payload: Uint8Array,
  signature: string | string[] | undefined,
): SecretMatch {
  // Before timingSafeEqual, which throws on unequal lengths.
  assertSignatureFormat(signature)
  const received = Buffer.from(signature, 'hex')
  if (matches(secrets.current, payload, received)) return 'current'
  if (secrets.previous !== undefined && matches(secrets.previous, payload, received)) {
    return 'previous'
  }
  throw mismatch()
}

function matches(secret: string, payload: Uint8Array, received: Buffer): boolean {
  const expected = createHmac('sha256', secret).update(payload).digest()
  return timingSafeEqual(expected, received)
}
