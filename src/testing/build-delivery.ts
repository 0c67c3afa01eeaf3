// A delivery exactly as Scompler makes one: the wire JSON (snake_case) and its signature header.
import type { ScomplerEvent } from '../domain'
import { SIGNATURE_HEADER } from '../domain'
import { signPayload } from '../http/signature'

/** The hex HMAC-SHA256 of the exact bytes, keyed by the app secret (the X-Signature value). */
export function signBody(body: string | Uint8Array, secret: string): string {
  return signPayload(secret, body)
}

export interface Delivery {
  body: string
  headers: Record<string, string>
}

/** The request body and headers Scompler would send for `event`, signed with `secret`. */
export function buildDelivery(event: ScomplerEvent, secret: string): Delivery {
  const body = JSON.stringify({
    id: event.id,
    event: event.event,
    account_id: event.accountId,
    data: event.data,
    occurred_at: event.occurredAt,
  })
  return {
    body,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, secret) },
  }
}
