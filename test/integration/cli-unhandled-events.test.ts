// `scompler-webhooks events unhandled`: the events recorded for types with no workflow or handler,
// filtered by type, account and time, over PostgreSQL and through a running npm start's socket.
import { randomUUID } from 'node:crypto'
import type { ScomplerEvent } from '../../src/domain'
import { insertUnhandledEvent } from '../../src/store/records'
import { runCli } from '../helpers/cli'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { useEmbeddedStore } from '../helpers/embedded-store'
import { newAccountId } from '../helpers/events'

function unhandled(event: string, accountId: string, data: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    event,
    accountId,
    data,
    occurredAt: new Date().toISOString(),
  } satisfies ScomplerEvent
}

interface Listed {
  eventId: string
  event: string
  accountId: string
  data: Record<string, unknown>
  recordedAt: string
}

describe('over PostgreSQL (DATABASE_URL)', () => {
  let database: TestDatabase
  beforeAll(async () => (database = await createTestDatabase()))
  afterAll(() => database.drop())

  it('lists them newest first, filtered by type, account and time, data intact', async () => {
    const accountId = newAccountId()
    const old = unhandled('comment.created', accountId)
    const first = unhandled('comment.created', accountId, { text: 'nul \u0000 and \ud800' })
    const second = unhandled('task.done', accountId, { taskId: 7 })
    const otherAccount = unhandled('comment.created', newAccountId())
    for (const event of [old, first, second, otherAccount]) {
      await insertUnhandledEvent(database.db, event)
    }
    await database.db.query(
      `UPDATE unhandled_events SET recorded_at = now() - interval '3 days' WHERE event_id = $1`,
      [old.id],
    )
    await database.db.query(
      `UPDATE unhandled_events SET recorded_at = now() + interval '1 second' WHERE event_id = $1`,
      [second.id],
    )
    const env = { DATABASE_URL: database.url }

    const all = await runCli(['events', 'unhandled', '--account-id', accountId, '--json'], env)
    expect(all.stderr).toBe('')
    expect(all.json<Listed[]>().map((row) => row.eventId)).toEqual([second.id, first.id, old.id])
    expect(all.json<Listed[]>()[1]).toMatchObject({
      event: 'comment.created',
      accountId,
      data: { text: 'nul \u0000 and \ud800' },
    })

    const recent = await runCli(
      ['events', 'unhandled', '--account-id', accountId, '--since', '1d', '--json'],
      env,
    )
    expect(recent.json<Listed[]>().map((row) => row.eventId)).toEqual([second.id, first.id])
    const comments = await runCli(
      ['events', 'unhandled', '--account-id', accountId, '--event', 'comment.created', '--json'],
      env,
    )
    expect(comments.json<Listed[]>().map((row) => row.eventId)).toEqual([first.id, old.id])
    const limited = await runCli(
      ['events', 'unhandled', '--account-id', accountId, '--limit', '1'],
      env,
    )
    expect(limited.code).toBe(0)
    expect(limited.stdout).toMatch(/^EVENT ID\s+EVENT\s+ACCOUNT\s+OCCURRED\s+RECORDED\n/)
    expect(limited.stdout).toContain(`${second.id}  task.done`)
    expect(limited.stdout).not.toContain(first.id)
  }, 120_000)

  it('says when there are none, and answers bad filters with exit code 2', async () => {
    const env = { DATABASE_URL: database.url }
    const none = await runCli(['events', 'unhandled', '--account-id', newAccountId()], env)
    expect([none.code, none.stdout]).toEqual([0, 'no unhandled events\n'])
    for (const args of [
      ['--since', 'yesterday'],
      ['--limit', '0'],
      ['--account-id', 'x'],
    ]) {
      const bad = await runCli(['events', 'unhandled', ...args], env)
      expect([args, bad.code]).toEqual([args, 2])
    }
  }, 120_000)
})

describe('while npm start holds the embedded store', () => {
  const embedded = useEmbeddedStore('cli-unhandled')

  it('lists them through the admin socket, with the same filters', async () => {
    const { db, dataDir } = embedded()
    const accountId = newAccountId()
    const wanted = unhandled('comment.created', accountId, { text: 'hello' })
    await insertUnhandledEvent(db, wanted)
    await insertUnhandledEvent(db, unhandled('task.done', accountId))
    await insertUnhandledEvent(db, unhandled('comment.created', newAccountId()))

    const listed = await runCli(
      [
        'events',
        'unhandled',
        '--event',
        'comment.created',
        '--account-id',
        accountId,
        '--since',
        '1h',
        '--json',
      ],
      { DATA_DIR: dataDir },
    )
    expect(listed.stderr).toBe('')
    expect(listed.json<Listed[]>()).toEqual([
      expect.objectContaining({ eventId: wanted.id, accountId, data: { text: 'hello' } }),
    ])
  }, 120_000)
})
