// Deliveries through real HTTP to a real Temporal server, a real worker (the prebuilt bundle) and
// a real PostgreSQL database of this file's own.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { ApplicationFailure } from '@temporalio/common'
import type { WorkflowHandle } from '@temporalio/client'
import { WEBHOOK_PATH } from '../../src/domain'
import {
  addInstallation,
  getInstallation,
  InstallationRefusedError,
} from '../../src/store/installations'
import { getLedgerEntry } from '../../src/store/ledger'
import { insertPostingPublication } from '../../src/store/records'
import { findTemporalCli } from '../../src/temporal/dev-server'
import { startTestApi, type TestApi } from '../helpers/api'
import { testEnvironment } from '../helpers/environment'
import {
  delivery,
  newAccountId,
  postingEvent,
  uninstallEvent,
  type WireEvent,
} from '../helpers/events'
import { refuseTransactions } from '../helpers/faults'
import { installFor } from '../helpers/installations'
import { useStack } from '../helpers/stack'
import { countRuns, startTestWorker, uniqueTaskQueue, waitForClose } from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

const stack = useStack({ name: 'workflows', worker: true, api: true })

async function deliver(event: WireEvent, via = stack.api) {
  const { body, headers } = delivery(event)
  const res = await via.http.post(WEBHOOK_PATH).set(headers).send(body)
  return res.body as { status: string; runId?: string; error?: string }
}

async function deliverAndWait(event: WireEvent, via = stack.api) {
  const answer = await deliver(event, via)
  expect(answer.status).toBe('accepted')
  const description = await waitForClose(stack.client, event.id, answer.runId)
  return { answer, description, handle: stack.client.workflow.getHandle(event.id, answer.runId) }
}

const installation = (accountId: string, installedAt?: Date) =>
  installFor(stack.store.db, accountId, { installedAt })

/**
 * Runs `test` with the app and a worker of their own (a task queue of their own) whose store
 * refuses its next `failures` transactions with `sqlstate`, as PostgreSQL does while restarting
 * (57P01) or on bad data (22P02).
 */
async function withFlakyWorker(
  failures: number,
  sqlstate: string,
  test: (via: TestApi, refused: () => number) => Promise<void>,
) {
  const queue = uniqueTaskQueue('flaky')
  const flaky = refuseTransactions(stack.store.db, failures, sqlstate)
  const flakyWorker = await startTestWorker({ db: flaky.db, taskQueue: queue })
  const via = await startTestApi({ client: stack.client, taskQueue: queue })
  try {
    await test(via, flaky.refused)
  } finally {
    await via.close()
    await flakyWorker.stop()
  }
}

/** The activities the run scheduled, in order. */
async function activitiesOf(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? []
  return events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])
}

async function postingsOf(accountId: string): Promise<number> {
  const { rows } = await stack.store.db.query(
    'SELECT 1 FROM posting_publications WHERE account_id = $1',
    [accountId],
  )
  return rows.length
}

async function seedPostings(accountId: string, installationId: string, count: number) {
  for (let i = 0; i < count; i++) {
    const e = postingEvent({ account_id: accountId })
    await insertPostingPublication(
      stack.store.db,
      { id: e.id, event: e.event, accountId, data: e.data, occurredAt: e.occurred_at },
      { postingId: String(i), serviceId: '1' },
      installationId,
    )
  }
}

describe('app.uninstalled', () => {
  it("removes the token, marks the installation uninstalled and deletes the account's related data", async () => {
    const accountId = newAccountId()
    const installationId = await installation(accountId)
    await seedPostings(accountId, installationId, 3)
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: true },
    })

    const { description, handle } = await deliverAndWait(event)

    expect(description.status.name).toBe('COMPLETED')
    expect(await handle.result()).toMatchObject({
      eventId: event.id,
      outcome: 'completed',
      details: {
        installationId,
        tokensRemoved: 1,
        relatedDataDeleted: true,
        relatedRowsDeleted: 3,
        postingRunsCancelled: 0,
      },
    })
    expect(await getInstallation(stack.store.db, installationId)).toMatchObject({
      status: 'uninstalled',
      hasToken: false,
    })
    expect(await postingsOf(accountId)).toBe(0)
  })

  it('keeps related data when delete_related_data is false', async () => {
    const accountId = newAccountId()
    const installationId = await installation(accountId)
    await seedPostings(accountId, installationId, 2)
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: false },
    })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      details: { tokensRemoved: 1, relatedDataDeleted: false },
    })
    expect(await postingsOf(accountId)).toBe(2)
  })

  it('answers a redelivery as duplicate and changes nothing', async () => {
    const accountId = newAccountId()
    const installationId = await installation(accountId)
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: true },
    })
    await deliverAndWait(event)
    // Data written after the uninstall must survive a redelivery of it.
    await seedPostings(accountId, installationId, 1)

    expect(await deliver(event)).toEqual({
      status: 'duplicate',
      eventId: event.id,
      workflowId: event.id,
    })
    expect(await postingsOf(accountId)).toBe(1)
    expect(await countRuns(stack.client, event.id, 1)).toBe(1)
  })

  it("never touches a newer installation's data when a stale uninstall arrives", async () => {
    const accountId = newAccountId()
    const old = await installation(accountId, new Date(Date.now() - 7 * 86400_000))
    const newer = await installation(accountId, new Date(Date.now() - 3600_000))
    await seedPostings(accountId, newer, 2)
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: old, delete_related_data: true },
    })

    const { handle } = await deliverAndWait(event)

    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      reason: expect.stringContaining('newer installation'),
      details: { installationId: old, relatedDataDeleted: false, accountStillInstalled: true },
    })
    expect(await getInstallation(stack.store.db, old)).toMatchObject({
      status: 'uninstalled',
      hasToken: false,
    })
    expect(await getInstallation(stack.store.db, newer)).toMatchObject({
      status: 'active',
      hasToken: true,
    })
    expect(await postingsOf(accountId)).toBe(2)
  })

  it('ends an unknown installation as skipped and keeps a tombstone against a later install', async () => {
    const accountId = newAccountId()
    const installationId = randomUUID()
    const { handle } = await deliverAndWait(
      uninstallEvent({ account_id: accountId, data: { installation_id: installationId } }),
    )
    expect(await handle.result()).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('unknown installation'),
    })
    await expect(
      addInstallation(stack.store.db, { installationId, accountId, accessToken: 't' }, TEST_TOKENS),
    ).rejects.toThrow(InstallationRefusedError)
  })

  it("cancels the account's posting runs still in flight", async () => {
    const accountId = newAccountId()
    const installationId = await installation(accountId)
    const posting = postingEvent({ account_id: accountId })
    // The posting's run goes to a worker whose store refuses every transaction (as while
    // PostgreSQL restarts): its step is retried, and the run stays in flight, until cancelled.
    await withFlakyWorker(Infinity, '57P01', async (via, refused) => {
      expect((await deliver(posting, via)).status).toBe('accepted')
      // Visibility, eventually consistent, must show the run by account before the uninstall.
      // After three refused attempts the next retry is 4 s away: the run is certainly between
      // attempts or in one when the uninstall cancels it.
      const query = `ScomplerAccountId = '${accountId}' AND ExecutionStatus = 'Running'`
      for (
        let i = 0;
        i < 300 && (refused() < 3 || (await stack.client.workflow.count(query)).count === 0);
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      expect((await stack.client.workflow.count(query)).count).toBe(1)

      const { handle } = await deliverAndWait(
        uninstallEvent({ account_id: accountId, data: { installation_id: installationId } }),
      )

      expect(await handle.result()).toMatchObject({
        outcome: 'completed',
        details: { postingRunsCancelled: 1 },
      })
      expect((await waitForClose(stack.client, posting.id)).status.name).toBe('CANCELLED')
    })
    expect(await postingsOf(accountId)).toBe(0)
  }, 120_000)
})

describe('posting.sent_to_publish', () => {
  it('is recorded for the active installation, once', async () => {
    const accountId = newAccountId()
    const installationId = await installation(accountId)
    const event = postingEvent({
      account_id: accountId,
      data: { posting_id: 4711, service_id: '42' },
    })

    const { description, handle } = await deliverAndWait(event)

    expect(description.status.name).toBe('COMPLETED')
    expect(await handle.result()).toMatchObject({
      outcome: 'completed',
      details: { installationId, postingId: '4711', serviceId: '42' },
    })
    const { rows } = await stack.store.db.query(
      'SELECT posting_id, service_id FROM posting_publications WHERE event_id = $1',
      [event.id],
    )
    expect(rows).toEqual([{ posting_id: '4711', service_id: '42' }])
    expect((await deliver(event)).status).toBe('duplicate')
    expect(await postingsOf(accountId)).toBe(1)
  })

  it('is skipped when the account has no active installation', async () => {
    const { handle } = await deliverAndWait(postingEvent())
    expect(await handle.result()).toMatchObject({
      outcome: 'skipped',
      reason: 'no active installation for the account',
    })
  })

  it('is skipped when it happened before the installation', async () => {
    const accountId = newAccountId()
    await installation(accountId, new Date())
    const event = postingEvent({
      account_id: accountId,
      occurred_at: new Date(Date.now() - 3600_000).toISOString(),
    })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({
      outcome: 'skipped',
      reason: 'the event predates the installation',
    })
    expect(await postingsOf(accountId)).toBe(0)
  })
})

describe('any other event', () => {
  it('is recorded so that nothing is lost', async () => {
    const event = postingEvent({ event: 'content.archived', data: { content_id: 9 } })
    const { handle } = await deliverAndWait(event)
    expect(await handle.result()).toMatchObject({ outcome: 'completed', event: 'content.archived' })
    const { rows } = await stack.store.db.query(
      'SELECT data FROM unhandled_events WHERE event_id = $1',
      [event.id],
    )
    expect(rows).toEqual([{ data: { content_id: 9 } }])
  })
})

describe('exactly once', () => {
  it('gives 20 concurrent deliveries of one new event exactly one run', async () => {
    const accountId = newAccountId()
    await installation(accountId)
    const event = postingEvent({ account_id: accountId })

    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(event)))

    expect(answers.filter((a) => a.status === 'accepted')).toHaveLength(1)
    expect(answers.filter((a) => a.status === 'duplicate')).toHaveLength(19)
    expect((await waitForClose(stack.client, event.id)).status.name).toBe('COMPLETED')
    expect(await countRuns(stack.client, event.id, 1)).toBe(1)
    expect(await postingsOf(accountId)).toBe(1)
  })

  it('holds through the ledger when the workflow history is gone', async () => {
    const accountId = newAccountId()
    await installation(accountId)
    const event = postingEvent({ account_id: accountId })
    await deliverAndWait(event)

    const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH, process.env)
    execFileSync(cli, [
      'workflow',
      'delete',
      '--yes',
      '--workflow-id',
      event.id,
      '--address',
      testEnvironment().temporalAddress,
    ])
    // Deletion completes asynchronously (about 20 s on the dev server): redeliver, as Scompler
    // would, until Temporal takes the event again.
    let answer = await deliver(event)
    for (let i = 0; i < 120 && answer.status === 'duplicate'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      answer = await deliver(event)
    }

    // Temporal no longer knows the event, so the redelivery starts a run; the ledger ends it.
    expect(answer.status).toBe('accepted')
    const handle = stack.client.workflow.getHandle(event.id, answer.runId)
    expect(await handle.result()).toMatchObject({
      outcome: 'duplicate',
      reason: expect.stringContaining('already processed'),
    })
    expect(await postingsOf(accountId)).toBe(1)
    // The store's step did not run again.
    expect(await activitiesOf(handle)).toEqual(['claimEvent'])
  }, 120_000)
})

describe('failures', () => {
  it('fails a known event with bad data at once, non-retryably, with the reason; a redelivery runs again', async () => {
    const event = uninstallEvent({
      data: { installation_id: 'not-a-uuid', delete_related_data: true },
    })
    const { answer, description, handle } = await deliverAndWait(event)

    expect(description.status.name).toBe('FAILED')
    const failure = await handle
      .result()
      .catch((error: { cause?: ApplicationFailure }) => error.cause)
    expect(failure).toMatchObject({
      type: 'InvalidEventData',
      nonRetryable: true,
      message: 'Invalid app.uninstalled data: data.installation_id: must be a UUID',
    })
    expect(await getLedgerEntry(stack.store.db, event.id)).toBeUndefined()

    const again = await deliver(event)
    expect(again.status).toBe('accepted')
    expect(again.runId).not.toBe(answer.runId)
    expect((await waitForClose(stack.client, event.id, again.runId)).status.name).toBe('FAILED')
  })

  describe('of the store', () => {
    it('retries a transient failure and completes', async () => {
      await withFlakyWorker(1, '57P01', async (via, refused) => {
        const event = postingEvent({ event: 'content.archived' })
        const { description, handle } = await deliverAndWait(event, via)
        expect(description.status.name).toBe('COMPLETED')
        expect(refused()).toBe(1)
        const history = await handle.fetchHistory()
        const attempts = history.events?.flatMap((e) =>
          e.activityTaskStartedEventAttributes
            ? [e.activityTaskStartedEventAttributes.attempt]
            : [],
        )
        expect(attempts).toEqual([1, 2])
      })
    })

    it('fails fast, with a clear reason, when the store rejects the data', async () => {
      await withFlakyWorker(1, '22P02', async (via) => {
        const event = postingEvent({ event: 'content.archived' })
        const { description, handle } = await deliverAndWait(event, via)
        expect(description.status.name).toBe('FAILED')
        const failure = await handle
          .result()
          .catch((error: { cause?: { cause?: ApplicationFailure } }) => error.cause?.cause)
        expect(failure).toMatchObject({
          type: 'StoreRejected',
          nonRetryable: true,
          message: expect.stringContaining('SQLSTATE 22P02'),
        })
        expect(description.closeTime!.getTime() - description.startTime.getTime()).toBeLessThan(
          5000,
        )
      })
    })
  })
})
