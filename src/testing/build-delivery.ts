// A delivery exactly as Scompler makes one: the wire JSON (snake_case) and its signature header.
import type { ScomplerEvent } from '../domain'
import { SIGNATURE_HEADER } from '../domain'
import { signBody } from '../http/signature'

export { signBody }

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
