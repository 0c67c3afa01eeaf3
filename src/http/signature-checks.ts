// What both signature verifiers share (src/http/signature.ts on node:crypto, and its Web Crypto
// twin src/http/signature-web.ts): the format check and the errors, so both answer alike. Pure:
// no imports, runs anywhere.
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
