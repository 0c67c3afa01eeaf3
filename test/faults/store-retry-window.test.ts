// Store work is retried (capped backoff) for the run's store retry window, given in its start
// input: an outage shorter than the window is survived, a longer one fails the run visibly.
// A real worker and Temporal; the real PostgreSQL behind a gate that refuses every statement, as
// a store that is down does (SQLSTATE 57P01, retryable), until the outage ends.
import { ActivityFailure } from '@temporalio/client'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { workflowTypeFor, type ScomplerEvent } from '../../src/domain'
import type { Database } from '../../src/store/database'
import { getLedgerEntry } from '../../src/store/ledger'
import { buildEvent } from '../../src/testing/build-event'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

let outageEnds = 0

/** The real store, down (every call refused, retryably) until `outageEnds`. */
function gated(db: Database): Database {
  const down = () => {
    if (Date.now() < outageEnds) {
      throw Object.assign(new Error('injected outage: SQLSTATE 57P01'), { code: '57P01' })
    }
  }
  return {
    ...db,
    query: async (sql, params) => (down(), db.query(sql, params)),
    exec: async (sql) => (down(), db.exec(sql)),
    transaction: async (fn, options) => (down(), db.transaction(fn, options)),
    close: async () => {},
  }
}

// Declared before the stack, so the store is back up before the worker drains (see useStack).
afterAll(() => (outageEnds = 0))
const stack = useStack({
  name: 'store-retry-window',
  database: true,
  worker: true,
  db: () => gated(stack.store.db),
})

/** An event of a type without a workflow of its own: its run records it in the store. */
const unhandled = () => buildEvent('account.renamed', { data: { name: 'x' } })

async function runThroughOutage(event: ScomplerEvent, storeRetryWindow: string, outageMs: number) {
  outageEnds = Date.now() + outageMs
  const started = Date.now()
  const handle = await stack.client.workflow.start(workflowTypeFor(event.event), {
    ...workflowStartOptions(event, stack.taskQueue),
    args: [event, { storeRetryWindow }],
  } as unknown as ReturnType<typeof workflowStartOptions>)
  const closed = await waitForClose(stack.client, event.id, handle.firstExecutionRunId, 60_000)
  return { closed, handle, seconds: (Date.now() - started) / 1000 }
}

it('survives a store outage shorter than the window: the run completes once the store is back', async () => {
  const event = unhandled()
  const { closed, seconds } = await runThroughOutage(event, '20s', 4_000)
  console.log(`store retry window 20s, outage 4s: completed after ${seconds} s`)
  expect(closed.status.name).toBe('COMPLETED')
  expect(await getLedgerEntry(stack.store.db, event.id)).toMatchObject({ status: 'completed' })
}, 90_000)

it('fails the run visibly when the outage outlasts the window', async () => {
  const event = unhandled()
  try {
    const { closed, handle, seconds } = await runThroughOutage(event, '5s', 45_000)
    console.log(`store retry window 5s, outage 45s: failed after ${seconds} s`)
    expect(closed.status.name).toBe('FAILED')
    expect(seconds).toBeLessThan(15)
    const failure = await handle.result().then(
      () => undefined,
      (error: { cause?: unknown }) => error.cause,
    )
    expect(failure).toBeInstanceOf(ActivityFailure)
    expect((failure as ActivityFailure).activityType).toBe('claimEvent')
    // Temporal gives up when the next backoff would pass the window, with the last attempt's error.
    expect((failure as ActivityFailure).retryState).toBe('TIMEOUT')
    expect((failure as ActivityFailure).cause?.message).toMatch(/57P01/)
  } finally {
    outageEnds = 0
  }
  expect(await getLedgerEntry(stack.store.db, event.id)).toBeUndefined()
}, 90_000)
