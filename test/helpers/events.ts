import { randomUUID } from 'node:crypto'
import { signPayload } from '../../src/http/signature'

export const SECRET = 'test-app-secret'
export const PREVIOUS_SECRET = 'test-app-secret-before-rotation'

/** The envelope as Scompler sends it (snake_case). */
export interface WireEvent {
  id: string
  event: string
  account_id: string | number
  data: Record<string, unknown>
  occurred_at: string
  [extra: string]: unknown
}

let nextAccount = 100_000 + Math.floor(Math.random() * 800_000_000)

/** A fresh account id, so tests sharing one database never see each other's rows. */
export function newAccountId(): string {
  return String(nextAccount++)
}

export function uninstallEvent(overrides: Partial<WireEvent> = {}): WireEvent {
  return {
    id: randomUUID(),
    event: 'app.uninstalled',
    account_id: newAccountId(),
    data: { delete_related_data: true, installation_id: randomUUID() },
    occurred_at: new Date().toISOString(),
    ...overrides,
  }
}

export function postingEvent(overrides: Partial<WireEvent> = {}): WireEvent {
  return {
    id: randomUUID(),
    event: 'posting.sent_to_publish',
    account_id: newAccountId(),
    data: { posting_id: 12345, service_id: 678 },
    occurred_at: new Date().toISOString(),
    ...overrides,
  }
}

export function sign(body: string | Buffer, secret = SECRET): string {
  return signPayload(secret, body)
}

/** The body and headers of a genuine delivery. */
export function delivery(event: WireEvent | string, secret = SECRET) {
  const body = typeof event === 'string' ? event : JSON.stringify(event)
  return {
    body,
    headers: { 'Content-Type': 'application/json', 'X-Signature': sign(body, secret) },
  }
}
