// Pre-signed deliveries: the signing is done before a run, so the load generator only sends.
import { randomUUID } from 'node:crypto'
import { parseEnvelope } from '../src/events'
import { signPayload } from '../src/http/signature'
import type { ScomplerEvent } from '../src/domain'

export const BENCH_SECRET = 'bench-app-secret'
const WRONG_SECRET = 'not-the-app-secret'

export interface Delivery {
  body: string
  signature: string
  event: ScomplerEvent
}

let nextAccount = 1_000_000

/** A posting for an account without installation: the run claims, checks and ends `skipped`. */
function postingBody(): string {
  return JSON.stringify({
    id: randomUUID(),
    event: 'posting.sent_to_publish',
    account_id: String(nextAccount++),
    data: { posting_id: 12345, service_id: 678 },
    occurred_at: new Date().toISOString(),
  })
}

export function signedDelivery(secret = BENCH_SECRET): Delivery {
  const body = postingBody()
  return { body, signature: signPayload(secret, body), event: parseEnvelope(JSON.parse(body)) }
}

export function signedDeliveries(count: number): Delivery[] {
  return Array.from({ length: count }, () => signedDelivery())
}

/** A well-formed body with a well-formed signature made with another secret. */
export function forgedDelivery(): Delivery {
  return signedDelivery(WRONG_SECRET)
}
