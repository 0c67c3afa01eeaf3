// Ledger pruning on a schedule: completed entries older than WEBHOOK_MAX_AGE plus a margin go;
// recent ones, and claims of events that never completed, stay.
import { randomUUID } from 'node:crypto'
import { createLogger } from '../../src/shared/logger'
import { claimEvent, completeEvent, getLedgerEntry } from '../../src/store/ledger'
import { ledgerKeepMs, startLedgerPruning } from '../../src/worker/housekeeping'
import { createTestDatabase, type TestDatabase } from '../helpers/database'

let store: TestDatabase
beforeAll(async () => (store = await createTestDatabase()))
afterAll(() => store?.drop())

const DAY_MS = 24 * 3600_000

async function entry(status: 'claimed' | 'completed', ageMs: number): Promise<string> {
  const eventId = randomUUID()
  await claimEvent(store.db, { eventId, event: 'x.y', accountId: '1', runId: 'run' })
  if (status === 'completed') {
    await completeEvent(store.db, { eventId, event: 'x.y', outcome: 'completed' })
  }
  await store.db.query(
    `UPDATE processed_events SET claimed_at = now() - $2 * interval '1 ms',
       completed_at = CASE WHEN status = 'completed' THEN now() - $2 * interval '1 ms' END
     WHERE event_id = $1`,
    [eventId, ageMs],
  )
  return eventId
}

it('keeps entries at least WEBHOOK_MAX_AGE plus a day', () => {
  expect(ledgerKeepMs(72 * 3600_000)).toBe(4 * DAY_MS)
})

it('prunes old completed entries on its schedule, and nothing else', async () => {
  const old = await entry('completed', 5 * DAY_MS)
  const recent = await entry('completed', DAY_MS)
  const unfinished = await entry('claimed', 5 * DAY_MS)
  const pruning = startLedgerPruning({
    db: store.db,
    keepMs: ledgerKeepMs(72 * 3600_000),
    logger: createLogger({ level: 'silent' }),
    everyMs: 100,
  })
  try {
    const deadline = Date.now() + 10_000
    while ((await getLedgerEntry(store.db, old)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // A later entry that ages past the limit goes on a later round.
    const later = await entry('completed', 6 * DAY_MS)
    while ((await getLedgerEntry(store.db, later)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await getLedgerEntry(store.db, old)).toBeUndefined()
    expect(await getLedgerEntry(store.db, later)).toBeUndefined()
    expect(await getLedgerEntry(store.db, recent)).toMatchObject({ status: 'completed' })
    expect(await getLedgerEntry(store.db, unfinished)).toMatchObject({ status: 'claimed' })
  } finally {
    await pruning.stop()
  }
}, 30_000)
