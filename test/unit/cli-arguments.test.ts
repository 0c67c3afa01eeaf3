// What the CLI builds from its arguments: the events `send` posts, the query `events list` runs.
import { visibilityQuery } from '../../src/cli/events'
import { buildEvent, parsePairs } from '../../src/cli/send'
import { isKnownEvent } from '../../src/domain'
import { parseEnvelope, parseEventData } from '../../src/events'

const defaults = { accountId: '12345', data: [] }

describe('send: the test events it builds', () => {
  it.each(['app.uninstalled', 'posting.sent_to_publish', 'account.renamed'])(
    'builds a %s event that passes the receiver’s own validation',
    (name) => {
      const event = parseEnvelope(buildEvent(name, defaults))
      expect(event).toMatchObject({ event: name, accountId: '12345' })
      if (isKnownEvent(name)) expect(parseEventData(name, event.data)).toMatchObject({ ok: true })
    },
  )

  it('keeps a given id and overrides data, reading JSON values', () => {
    const id = '3f29b6e2-8c4a-4d5f-9b12-7a1d2f3e4b5c'
    const event = buildEvent('app.uninstalled', {
      ...defaults,
      id,
      data: ['delete_related_data=true', `installation_id=${id}`, 'note=plain text'],
    })
    expect(event.id).toBe(id)
    expect(event.data).toEqual({
      installation_id: id,
      delete_related_data: true,
      note: 'plain text',
    })
  })

  it('refuses a --data without a key', () => {
    expect(() => parsePairs(['=1'])).toThrow('--data =1: expected key=value')
    expect(() => parsePairs(['novalue'])).toThrow('expected key=value')
  })
})

describe('events list: the visibility query', () => {
  it('keeps to our workflow types and adds each filter', () => {
    expect(visibilityQuery({ failed: true, accountId: '42', event: 'app.uninstalled' })).toBe(
      'WorkflowType IN ("appUninstalled", "postingSentToPublish", "unhandledEvent")' +
        ' AND ScomplerEvent = "app.uninstalled" AND ScomplerAccountId = "42"' +
        ' AND (ExecutionStatus = "Failed" OR ExecutionStatus = "Terminated" OR ExecutionStatus = "TimedOut")',
    )
  })

  it('cannot be broken out of with quotes', () => {
    expect(visibilityQuery({ event: 'x" OR WorkflowId = "y' })).toContain(
      'ScomplerEvent = "x OR WorkflowId = y"',
    )
  })
})
