// The store's behaviour, as cases that run against either driver: PostgreSQL (a database of its
// own on the shared server: test/integration/store-postgres.test.ts) and the embedded PGlite
// (test/unit/store-pglite.test.ts).
import { randomUUID } from 'node:crypto'
import { completeOnce } from '../../activities/ledger'
import type { EventResult, ScomplerEvent } from '../../src/domain'
import type { Database } from '../../src/store/database'
import {
  addInstallation,
  getInstallation,
  InstallationRefusedError,
  insertTombstone,
  lockActiveInstallation,
  lockNewestActiveInstallation,
  markTokenRejected,
} from '../../src/store/installations'
import { claimEvent, getLedgerEntry, pruneLedger } from '../../src/store/ledger'
import { migrate } from '../../src/store/migrate'
import { insertPostingPublication, insertUnhandledEvent } from '../../src/store/records'
import { newAccountId } from './events'
import { TEST_TOKENS } from './tokens'

function event(overrides: Partial<ScomplerEvent> = {}): ScomplerEvent {
  return {
    id: randomUUID(),
    event: 'posting.sent_to_publish',
    accountId: newAccountId(),
    data: { posting_id: 1, service_id: 2 },
    occurredAt: new Date().toISOString(),
    ...overrides,
  }
}

function completed(e: ScomplerEvent): EventResult {
  return { eventId: e.id, event: e.event, outcome: 'completed', details: { rows: 1 } }
}

/** Every store test, against a database that `open` gives (each driver's file calls it once). */
export function describeStoreContract(
  driver: string,
  open: () => Promise<{ db: Database; close: () => Promise<void> }>,
): void {
  describe(`the store on ${driver}`, () => {
    let db: Database
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ db, close } = await open())
    })
    afterAll(() => close())
    const claim = (e: ScomplerEvent, runId: string) =>
      claimEvent(db, { eventId: e.id, event: e.event, accountId: e.accountId, runId })

    it('applies migrations once', async () => {
      expect(await migrate(db)).toEqual([])
      const { rows } = await db.query<{ version: string }>('SELECT version FROM schema_migrations')
      expect(rows.map((row) => row.version)).toContain('001_initial.sql')
    })

    describe('installations', () => {
      it('adds an installation, then replaces its token', async () => {
        const input = { installationId: randomUUID(), accountId: newAccountId(), accessToken: 't1' }
        expect(await addInstallation(db, input, TEST_TOKENS)).toBe('added')
        expect(await addInstallation(db, { ...input, accessToken: 't2' }, TEST_TOKENS)).toBe(
          'updated',
        )
        expect(await getInstallation(db, input.installationId)).toMatchObject({
          accountId: input.accountId,
          status: 'active',
          hasToken: true,
        })
      })

      it('never brings back an uninstalled installation (tombstone)', async () => {
        const installationId = randomUUID()
        const accountId = newAccountId()
        await insertTombstone(db, installationId, accountId, new Date().toISOString())
        await expect(
          addInstallation(db, { installationId, accountId, accessToken: 't' }, TEST_TOKENS),
        ).rejects.toThrow(InstallationRefusedError)
        expect(await getInstallation(db, installationId)).toMatchObject({
          status: 'uninstalled',
          hasToken: false,
        })
      })

      it('refuses to move an installation to another account', async () => {
        const input = { installationId: randomUUID(), accountId: newAccountId(), accessToken: 't' }
        await addInstallation(db, input, TEST_TOKENS)
        await expect(
          addInstallation(db, { ...input, accountId: newAccountId() }, TEST_TOKENS),
        ).rejects.toThrow(InstallationRefusedError)
      })

      it("finds the account's newest active installation", async () => {
        const accountId = newAccountId()
        const older = randomUUID()
        const newer = randomUUID()
        await addInstallation(
          db,
          {
            installationId: older,
            accountId,
            accessToken: 'a',
            installedAt: new Date('2026-01-01'),
          },
          TEST_TOKENS,
        )
        await addInstallation(
          db,
          {
            installationId: newer,
            accountId,
            accessToken: 'b',
            installedAt: new Date('2026-06-01'),
          },
          TEST_TOKENS,
        )
        const found = await db.transaction((tx) =>
          lockActiveInstallation(tx, accountId, TEST_TOKENS),
        )
        expect(found).toMatchObject({ installationId: newer, accessToken: 'b' })
        expect(found?.installedAt).toEqual(new Date('2026-06-01'))
      })

      it('finds an installation whose token was rejected: active, with no token', async () => {
        const accountId = newAccountId()
        const installationId = randomUUID()
        await addInstallation(db, { installationId, accountId, accessToken: 't' }, TEST_TOKENS)
        expect(await markTokenRejected(db, installationId)).toBe(true)
        const [locked, found] = await db.transaction(async (tx) => [
          await lockNewestActiveInstallation(tx, accountId),
          await lockActiveInstallation(tx, accountId, TEST_TOKENS),
        ])
        expect(locked).toMatchObject({ installationId, status: 'active', hasToken: false })
        expect(locked).not.toHaveProperty('storedToken')
        expect(found).toMatchObject({ installationId, status: 'active', accessToken: null })
      })
    })

    describe('the ledger', () => {
      it('claims an event, and lets a later run take over an unfinished claim', async () => {
        const e = event()
        const input = { eventId: e.id, event: e.event, accountId: e.accountId }
        expect(await claimEvent(db, { ...input, runId: 'run-1' })).toEqual({
          status: 'claimed',
          runId: 'run-1',
        })
        expect(await claimEvent(db, { ...input, runId: 'run-2' })).toEqual({
          status: 'claimed',
          runId: 'run-2',
        })
      })

      it('completes an event once: a retry of the same run gets the stored result', async () => {
        const e = event()
        await claim(e, 'run-1')
        let effects = 0
        const work = async () => {
          effects++
          return completed(e)
        }
        expect(await completeOnce(db, { event: e, runId: 'run-1' }, work)).toEqual(completed(e))
        expect(await completeOnce(db, { event: e, runId: 'run-1' }, work)).toEqual(completed(e))
        expect(effects).toBe(1)
      })

      it('never claims a completed event again, and answers later runs as duplicate', async () => {
        const e = event()
        await claim(e, 'run-1')
        await completeOnce(db, { event: e, runId: 'run-1' }, async () => completed(e))
        const again = await claim(e, 'run-2')
        expect(again).toEqual({ status: 'completed', runId: 'run-1', result: completed(e) })
        const late = await completeOnce(db, { event: e, runId: 'run-2' }, async () => {
          throw new Error('must not run')
        })
        expect(late).toMatchObject({
          outcome: 'duplicate',
          reason: expect.stringContaining('run-1'),
        })
      })

      it('refuses work from a run whose claim was taken over', async () => {
        const e = event()
        await claim(e, 'run-1')
        await claim(e, 'run-2')
        await expect(
          completeOnce(db, { event: e, runId: 'run-1' }, async () => completed(e)),
        ).rejects.toMatchObject({
          type: 'ClaimLost',
          nonRetryable: true,
        })
      })

      it('rolls the side effect back with the transaction when the work fails', async () => {
        const e = event({ event: 'content.archived' })
        await claim(e, 'run-1')
        await expect(
          completeOnce(db, { event: e, runId: 'run-1' }, async (tx) => {
            await insertUnhandledEvent(tx, e)
            throw new Error('store refused')
          }),
        ).rejects.toThrow('store refused')
        const { rows } = await db.query('SELECT 1 FROM unhandled_events WHERE event_id = $1', [
          e.id,
        ])
        expect(rows).toHaveLength(0)
        expect(await getLedgerEntry(db, e.id)).toEqual({ status: 'claimed', runId: 'run-1' })
      })

      it('prunes completed entries older than a cut-off', async () => {
        const e = event()
        await claim(e, 'r')
        await completeOnce(db, { event: e, runId: 'r' }, async () => completed(e))
        expect(await pruneLedger(db, new Date(Date.now() - 3600_000))).toBe(0)
        expect(await pruneLedger(db, new Date(Date.now() + 3600_000))).toBeGreaterThanOrEqual(1)
        expect(await getLedgerEntry(db, e.id)).toBeUndefined()
      })
    })

    describe('records', () => {
      it('records a posting and an unhandled event once each', async () => {
        const accountId = newAccountId()
        const installationId = randomUUID()
        await addInstallation(db, { installationId, accountId, accessToken: 't' }, TEST_TOKENS)
        const posting = event({ accountId })
        const posted = { postingId: '9007199254740993', serviceId: '7' }
        expect(await insertPostingPublication(db, posting, posted, installationId)).toBe(true)
        expect(await insertPostingPublication(db, posting, posted, installationId)).toBe(false)
        const { rows } = await db.query<{ posting_id: string }>(
          'SELECT posting_id FROM posting_publications WHERE event_id = $1',
          [posting.id],
        )
        expect(rows[0]?.posting_id).toBe('9007199254740993')
        const other = event({ event: 'content.archived', data: { note: 'Grüße ✓' } })
        expect(await insertUnhandledEvent(db, other)).toBe(true)
        expect(await insertUnhandledEvent(db, other)).toBe(false)
      })
    })
  })
}
