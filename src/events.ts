// The webhook envelope and each known event's `data`, validated with zod and normalised once.
import { z } from 'zod'
import {
  APP_UNINSTALLED,
  POSTING_SENT_TO_PUBLISH,
  type AppUninstalledData,
  type KnownEventName,
  type PostingSentToPublishData,
  type ScomplerEvent,
} from './domain'

/** Allowed skew for clocks ahead of ours. */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000

/** Deeper `data` is refused: the payload converter's JSON.stringify recurses and would overflow. */
const MAX_DATA_DEPTH = 32

/** Account, posting and service ids: documented as integers, sent as strings too. */
export const decimalId = z
  .union([z.int().nonnegative(), z.string().regex(/^\d{1,20}$/, 'must be a decimal integer')])
  .transform((value) => BigInt(value).toString())

/** Installation ids: UUIDs, kept lowercase so that one installation has one key. */
export const installationId = z.guid('must be a UUID').transform((id) => id.toLowerCase())

const envelopeSchema = z.object({
  // Any 8-4-4-4-12 hex id: the platform promises a UUID, not a particular version.
  id: z.guid('must be a UUID'),
  event: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w.:-]+$/, 'must be an event name such as app.uninstalled'),
  account_id: decimalId,
  data: z
    .record(z.string(), z.unknown())
    .refine((data) => depthWithin(data, MAX_DATA_DEPTH), `nests deeper than ${MAX_DATA_DEPTH}`),
  occurred_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
})

const dataSchemas = {
  [APP_UNINSTALLED]: z
    .object({
      installation_id: installationId,
      // Deleting data is never the default: only an explicit true deletes.
      delete_related_data: z.boolean().default(false),
    })
    .transform((d): AppUninstalledData => ({
      installationId: d.installation_id,
      deleteRelatedData: d.delete_related_data,
    })),
  [POSTING_SENT_TO_PUBLISH]: z
    .object({ posting_id: decimalId, service_id: decimalId })
    .transform((d): PostingSentToPublishData => ({
      postingId: d.posting_id,
      serviceId: d.service_id,
    })),
} satisfies Record<KnownEventName, z.ZodType>

export type EventData = {
  [K in KnownEventName]: z.output<(typeof dataSchemas)[K]>
}

/** The body is not an event we can take; `message` is safe to return to the sender. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError'
  constructor(
    readonly code: 'invalid_json' | 'invalid_event' | 'stale_event',
    message: string,
  ) {
    super(message)
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(body)) as unknown
  } catch {
    throw new InvalidEventError('invalid_json', 'Body is not valid UTF-8 JSON')
  }
}

export function parseEnvelope(json: unknown): ScomplerEvent {
  const parsed = envelopeSchema.safeParse(json)
  if (!parsed.success) throw new InvalidEventError('invalid_event', describeIssues(parsed.error))
  const { id, event, account_id, data, occurred_at } = parsed.data
  return {
    id,
    event,
    accountId: account_id,
    data,
    occurredAt: new Date(occurred_at).toISOString(),
  }
}

/** Replay protection: the signature covers no timestamp, but the signed body has occurred_at. */
export function assertFresh(event: ScomplerEvent, now: number, maxAgeMs: number): void {
  const occurred = Date.parse(event.occurredAt)
  if (occurred < now - maxAgeMs) {
    throw new InvalidEventError('stale_event', 'occurred_at is older than WEBHOOK_MAX_AGE')
  }
  if (occurred > now + MAX_FUTURE_SKEW_MS) {
    throw new InvalidEventError('stale_event', 'occurred_at is more than 5 minutes in the future')
  }
}

/** Validates a known event's `data`; the reason names the field, never its value. */
export function parseEventData<K extends KnownEventName>(
  event: K,
  data: unknown,
): { ok: true; data: EventData[K] } | { ok: false; reason: string } {
  const parsed = dataSchemas[event].safeParse(data)
  return parsed.success
    ? { ok: true, data: parsed.data as EventData[K] }
    : { ok: false, reason: describeIssues(parsed.error, 'data') }
}

/** Iterative, so a hostile nesting cannot overflow the stack here either. */
function depthWithin(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]]
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, depth] = item
    if (value === null || typeof value !== 'object') continue
    if (depth > max) return false
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return true
}

/** The first issues of a failed parse, by field; never the values. */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}
