// The handlers alone, in this process: each runs on Temporal's MockActivityEnvironment through the
// package's runHandler, against a real HTTP publisher on a free port and a recording database.
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { buildEvent, runHandler } from 'scompler-webhooks/testing'
import { COMMENT_CREATED, createAppHandlers, type AppDatabase } from '../src/handlers.ts'

interface Published {
  headers: IncomingHttpHeaders
  body: Record<string, unknown>
}

let publisher: Server
let publisherUrl: string
const published: Published[] = []
/** The status the publisher answers with, by posting id (200 otherwise). */
const refusals = new Map<string, number>()

before(async () => {
  publisher = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>
      published.push({ headers: req.headers, body })
      res.writeHead(refusals.get(String(body.postingId)) ?? 200).end()
    })
  })
  await new Promise<void>((resolve) => publisher.listen(0, '127.0.0.1', resolve))
  publisherUrl = `http://127.0.0.1:${(publisher.address() as AddressInfo).port}`
})
after(() => publisher.close())

function recordingDatabase(): AppDatabase & { rows: unknown[][] } {
  const rows: unknown[][] = []
  return { rows, query: async (_text, values) => rows.push(values) }
}

const installation = {
  installationId: '3f29b6e2-8c4a-4d5f-9b12-7a1d2f3e4b5c',
  accountId: '12345',
  accessToken: 'token-of-12345',
}

describe('posting.sent_to_publish', () => {
  it('publishes with the installation token and the event id as idempotency key', async () => {
    const pool = recordingDatabase()
    const event = buildEvent('posting.sent_to_publish', {
      accountId: '12345',
      data: { posting_id: 111, service_id: 7 },
    })
    const result = await runHandler(createAppHandlers({ pool, publisherUrl }), event, {
      installation,
    })
    assert.deepEqual(result, { published: '111' })
    const request = published.at(-1)
    assert.equal(request?.headers.authorization, 'Bearer token-of-12345')
    assert.equal(request?.headers['idempotency-key'], event.id)
    assert.deepEqual(pool.rows, [[event.id, '12345', '111', '7']])
  })

  it('fails for good when the publisher refuses the posting', async () => {
    refusals.set('222', 422)
    const pool = recordingDatabase()
    const event = buildEvent('posting.sent_to_publish', {
      data: { posting_id: 222, service_id: 7 },
    })
    // As the worker reports it: a non-retryable failure, so the run fails at once.
    await assert.rejects(
      runHandler(createAppHandlers({ pool, publisherUrl }), event, { installation }),
      { type: 'HandlerFailure', nonRetryable: true, message: /refused posting 222: HTTP 422/ },
    )
    assert.deepEqual(pool.rows, [])
  })
})

describe(COMMENT_CREATED, () => {
  it('records the comment of an event the receiver does not know', async () => {
    const pool = recordingDatabase()
    const event = buildEvent(COMMENT_CREATED, { data: { comment_id: 'c-1', text: 'Nice post' } })
    const result = await runHandler(createAppHandlers({ pool, publisherUrl }), event)
    assert.deepEqual(result, { comment: 'c-1' })
    assert.deepEqual(pool.rows, [[event.id, event.accountId, 'c-1', 'Nice post']])
  })

  it('refuses a comment without its text', async () => {
    const pool = recordingDatabase()
    const event = buildEvent(COMMENT_CREATED, { data: { comment_id: 'c-2' } })
    await assert.rejects(runHandler(createAppHandlers({ pool, publisherUrl }), event), {
      type: 'HandlerFailure',
      message: /needs data.comment_id and data.text/,
    })
  })
})
