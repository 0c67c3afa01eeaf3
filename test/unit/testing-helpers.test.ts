// `scompler-webhooks/testing`: what it builds is what the receiver's own verifier and envelope
// parser accept, so an app's tests deliver the same bytes Scompler would.
import { APP_UNINSTALLED, POSTING_SENT_TO_PUBLISH } from '../../src/domain'
import { parseEnvelope, parseEventData, parseJson } from '../../src/events'
import { verifySignature, WebhookVerificationError } from '../../src/http/signature'
import { buildDelivery, buildEvent, signBody } from '../../src/lib/testing'
import { delivery, SECRET, uninstallEvent } from '../helpers/events'
import vectors from '../fixtures/signature-vectors.json'

const received = (body: string) => parseEnvelope(parseJson(Buffer.from(body)))

it.each([APP_UNINSTALLED, POSTING_SENT_TO_PUBLISH, 'comment.created'])(
  'builds a %s delivery the verifier and the envelope parser accept as it was built',
  (type) => {
    const event = buildEvent(type)
    const { body, headers } = buildDelivery(event, SECRET)
    expect(headers['content-type']).toBe('application/json')
    expect(verifySignature({ current: SECRET }, Buffer.from(body), headers['x-signature'])).toBe(
      'current',
    )
    expect(received(body)).toEqual(event)
    expect(JSON.parse(body)).toHaveProperty('account_id', event.accountId)
  },
)

it('gives the known events valid data, and each event a fresh id', () => {
  const uninstall = buildEvent(APP_UNINSTALLED)
  expect(parseEventData(APP_UNINSTALLED, uninstall.data)).toEqual({
    ok: true,
    data: { installationId: uninstall.data.installation_id, deleteRelatedData: false },
  })
  expect(
    parseEventData(POSTING_SENT_TO_PUBLISH, buildEvent(POSTING_SENT_TO_PUBLISH).data),
  ).toMatchObject({ ok: true })
  expect(buildEvent(APP_UNINSTALLED).id).not.toBe(uninstall.id)
  expect(Date.now() - Date.parse(uninstall.occurredAt)).toBeLessThan(5000)
})

it('takes overrides, data merged over the sample', () => {
  const event = buildEvent(APP_UNINSTALLED, {
    accountId: '42',
    data: { delete_related_data: true },
  })
  expect(event).toMatchObject({ event: APP_UNINSTALLED, accountId: '42' })
  expect(parseEventData(APP_UNINSTALLED, event.data)).toMatchObject({
    ok: true,
    data: { deleteRelatedData: true },
  })
})

it('signs with the given secret only', () => {
  const { body, headers } = buildDelivery(buildEvent(POSTING_SENT_TO_PUBLISH), 'another secret')
  expect(() =>
    verifySignature({ current: SECRET }, Buffer.from(body), headers['x-signature']),
  ).toThrow(WebhookVerificationError)
})

it('signs bodies like the known-answer vectors', () => {
  for (const vector of vectors.vectors) {
    expect(signBody(vector.body_utf8, vector.secret)).toBe(vector.x_signature)
    expect(signBody(Buffer.from(vector.body_utf8), vector.secret)).toBe(vector.x_signature)
  }
})

it("makes the same delivery as the repository's own test helper", () => {
  const wire = uninstallEvent()
  const event = received(JSON.stringify(wire))
  const ours = delivery({ ...wire, account_id: event.accountId, occurred_at: event.occurredAt })
  const built = buildDelivery(event, SECRET)
  expect(built.body).toBe(ours.body)
  expect(built.headers['x-signature']).toBe(ours.headers['X-Signature'])
})
