import { randomUUID } from 'node:crypto'
import {
  assertFresh,
  InvalidEventError,
  parseEnvelope,
  parseEventData,
  parseJson,
} from '../../src/events'
import { uninstallEvent } from '../helpers/events'

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof InvalidEventError) return error.code
    throw error
  }
  return undefined
}

describe('the envelope', () => {
  it('is normalised once: camelCase, account id as a decimal string, UTC time', () => {
    const wire = uninstallEvent({ account_id: 12345, occurred_at: '2026-02-17T12:00:00+02:00' })
    expect(parseEnvelope(wire)).toEqual({
      id: wire.id,
      event: 'app.uninstalled',
      accountId: '12345',
      data: wire.data,
      occurredAt: '2026-02-17T10:00:00.000Z',
    })
  })

  it('keeps account ids beyond 2^53 exact when sent as strings', () => {
    const wire = uninstallEvent({ account_id: '18446744073709551615' })
    expect(parseEnvelope(wire).accountId).toBe('18446744073709551615')
  })

  it('drops leading zeros of a string account id', () => {
    expect(parseEnvelope(uninstallEvent({ account_id: '007' })).accountId).toBe('7')
  })

  it('keeps the event id unchanged (it is the workflow id)', () => {
    const id = randomUUID().toUpperCase()
    expect(parseEnvelope(uninstallEvent({ id })).id).toBe(id)
  })

  it.each([
    ['an id that is not a UUID', { id: 'not-a-uuid' }],
    ['a missing event', { event: undefined }],
    ['an empty event', { event: '' }],
    ['a negative account id', { account_id: -1 }],
    ['a fractional account id', { account_id: 1.5 }],
    ['an account id beyond 2^53 sent as a number', { account_id: 2 ** 60 }],
    ['a non-numeric account id', { account_id: '12a' }],
    ['data that is an array', { data: [] }],
    ['data that is null', { data: null }],
    ['occurred_at that is not a date', { occurred_at: 'yesterday' }],
    ['occurred_at without a time zone', { occurred_at: '2026-02-17T10:00:00' }],
  ])('rejects %s as invalid_event', (_name, override) => {
    expect(code(() => parseEnvelope({ ...uninstallEvent(), ...override }))).toBe('invalid_event')
  })

  it('rejects a body that is not an object', () => {
    expect(code(() => parseEnvelope([1, 2]))).toBe('invalid_event')
  })

  it('names the field that is wrong, not its value', () => {
    expect(() => parseEnvelope(uninstallEvent({ id: 'secret-looking-value' }))).toThrow(/^id: /)
    expect(() => parseEnvelope(uninstallEvent({ id: 'secret-looking-value' }))).not.toThrow(
      /secret-looking-value/,
    )
  })
})

describe('JSON', () => {
  it('rejects invalid UTF-8 as invalid_json', () => {
    expect(code(() => parseJson(Buffer.from([0x7b, 0xff, 0x7d])))).toBe('invalid_json')
  })

  it('rejects text that is not JSON', () => {
    expect(code(() => parseJson(Buffer.from('id=1')))).toBe('invalid_json')
  })

  it('reads non-ASCII text', () => {
    expect(parseJson(Buffer.from('{"note":"Grüße ✓"}'))).toEqual({ note: 'Grüße ✓' })
  })
})

describe('freshness', () => {
  const now = Date.parse('2026-11-28T12:00:00Z')
  const at = (iso: string) => parseEnvelope(uninstallEvent({ occurred_at: iso }))

  it('accepts an event within WEBHOOK_MAX_AGE', () => {
    expect(code(() => assertFresh(at('2026-11-25T12:00:01Z'), now, 72 * 3600_000))).toBeUndefined()
  })

  it('rejects an event older than WEBHOOK_MAX_AGE as stale_event', () => {
    expect(code(() => assertFresh(at('2026-11-25T11:59:59Z'), now, 72 * 3600_000))).toBe(
      'stale_event',
    )
  })

  it('accepts clocks up to 5 minutes ahead, and rejects more', () => {
    expect(code(() => assertFresh(at('2026-11-28T12:04:59Z'), now, 3600_000))).toBeUndefined()
    expect(code(() => assertFresh(at('2026-11-28T12:05:01Z'), now, 3600_000))).toBe('stale_event')
  })
})

describe('event data', () => {
  it('reads app.uninstalled data, deleting nothing unless told to', () => {
    const installationId = randomUUID()
    expect(parseEventData('app.uninstalled', { installation_id: installationId })).toEqual({
      ok: true,
      data: { installationId, deleteRelatedData: false },
    })
  })

  it('reads posting ids sent as numbers or strings', () => {
    expect(parseEventData('posting.sent_to_publish', { posting_id: 1, service_id: '2' })).toEqual({
      ok: true,
      data: { postingId: '1', serviceId: '2' },
    })
  })

  it('gives the reason for data that does not fit', () => {
    expect(parseEventData('app.uninstalled', { installation_id: 'x' })).toEqual({
      ok: false,
      reason: 'data.installation_id: must be a UUID',
    })
    const missing = parseEventData('posting.sent_to_publish', { posting_id: 1 })
    expect(missing.ok).toBe(false)
    expect(!missing.ok && missing.reason).toMatch(/^data\.service_id: /)
  })
})
