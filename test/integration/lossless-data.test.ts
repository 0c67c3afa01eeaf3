// "200 means recorded, whatever the data": `data` holding a NUL character or an unpaired surrogate
// is valid JSON that PostgreSQL's jsonb refuses. Through real HTTP, a real worker and a real
// PostgreSQL, such events complete, and what the store keeps parses back to exactly what was sent.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Client as PgClient } from 'pg'
import { WEBHOOK_PATH } from '../../src/domain'
import { openDatabase } from '../../src/store/database'
import { addInstallation } from '../../src/store/installations'
import { createEmptyDatabase } from '../helpers/database'
import {
  delivery,
  newAccountId,
  postingEvent,
  uninstallEvent,
  type WireEvent,
} from '../helpers/events'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

const stack = useStack({ name: 'lossless', worker: true, api: true })

/** Strings jsonb refuses (22P05, 22P02), in values and in keys, nested and in arrays. */
const hostileData = () => ({
  nul: 'before\u0000after',
  lone_high: 'x\ud800y',
  lone_low: '\udfff',
  reversed_pair: '\udc00\ud800',
  pair: '\ud83d\ude00',
  'key\u0000with nul': 1,
  '\ud800': ['\u0000', { deeper: '\ud800\u0000' }],
  nested: { list: [null, true, 1.5, '\u0000\u0001\u001f'] },
})

async function deliverAndWait(event: WireEvent) {
  const { body, headers } = delivery(event)
  const res = await stack.api.http.post(WEBHOOK_PATH).set(headers).send(body)
  expect(res.status).toBe(200)
  expect(res.body.status).toBe('accepted')
  return waitForClose(stack.client, event.id, res.body.runId as string, 90_000)
}

describe('data that PostgreSQL jsonb cannot hold', () => {
  it('is recorded for an unknown event and reads back exactly as it was sent', async () => {
    const event = postingEvent({ event: 'content.archived', data: hostileData() })
    const description = await deliverAndWait(event)
    expect(description.status.name).toBe('COMPLETED')
    const { rows } = await stack.store.db.query<{ text: string }>(
      'SELECT data::text AS text FROM unhandled_events WHERE event_id = $1',
      [event.id],
    )
    expect(rows).toHaveLength(1)
    expect(JSON.parse(rows[0]!.text)).toEqual(event.data)
    // Byte for byte: the stored JSON text is the canonical serialisation of the data sent.
    expect(rows[0]!.text).toBe(JSON.stringify(event.data))
  }, 120_000)

  it('does not stop a known event (posting.sent_to_publish) from completing', async () => {
    const accountId = newAccountId()
    const installationId = randomUUID()
    await addInstallation(
      stack.store.db,
      {
        installationId,
        accountId,
        accessToken: 'token',
        installedAt: new Date(Date.now() - 3600_000),
      },
      TEST_TOKENS,
    )
    const event = postingEvent({
      account_id: accountId,
      data: { posting_id: 7, service_id: 8, ...hostileData() },
    })
    const description = await deliverAndWait(event)
    expect(description.status.name).toBe('COMPLETED')
    expect(await stack.client.workflow.getHandle(event.id).result()).toMatchObject({
      outcome: 'completed',
    })
  }, 120_000)

  it('does not stop a known event (app.uninstalled) from completing', async () => {
    const event = uninstallEvent({
      data: { installation_id: randomUUID(), delete_related_data: false, ...hostileData() },
    })
    const description = await deliverAndWait(event)
    expect(description.status.name).toBe('COMPLETED')
    expect(await stack.client.workflow.getHandle(event.id).result()).toMatchObject({
      outcome: 'skipped',
    })
  }, 120_000)
})

describe('the migration to lossless data', () => {
  it('keeps the rows recorded before it', async () => {
    const empty = await createEmptyDatabase()
    try {
      const pg = new PgClient({ connectionString: empty.url })
      await pg.connect()
      const initial = readFileSync(
        path.join(__dirname, '../../src/store/migrations/001_initial.sql'),
        'utf8',
      )
      await pg.query(`CREATE TABLE schema_migrations (
        version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
      await pg.query(initial)
      await pg.query(`INSERT INTO schema_migrations (version) VALUES ('001_initial.sql')`)
      // Raw JSON text: a number beyond 2^53, which jsonb keeps exactly.
      const old = '{"note": "Grüße ✓", "list": [1, {"b": null}], "big": 9007199254740993}'
      await pg.query(
        `INSERT INTO unhandled_events (event_id, event, account_id, data, occurred_at)
         VALUES ('e1', 'content.archived', '1', $1::jsonb, now())`,
        [old],
      )
      await pg.end()

      const db = await openDatabase({ databaseUrl: empty.url, dataDir: '' })
      try {
        const { rows } = await db.query<{ data: unknown; type: string }>(
          `SELECT data, pg_typeof(data)::text AS type FROM unhandled_events WHERE event_id = 'e1'`,
        )
        expect(rows).toEqual([
          {
            data: { note: 'Grüße ✓', list: [1, { b: null }], big: 9007199254740992 },
            type: 'json',
          },
        ])
        const { rows: text } = await db.query<{ text: string }>(
          `SELECT data::text AS text FROM unhandled_events WHERE event_id = 'e1'`,
        )
        // The text jsonb held is carried over unchanged, digits beyond 2^53 included.
        expect(text[0]!.text).toBe(
          '{"big": 9007199254740993, "list": [1, {"b": null}], "note": "Grüße ✓"}',
        )
      } finally {
        await db.close()
      }
    } finally {
      await empty.drop()
    }
  }, 60_000)
})
