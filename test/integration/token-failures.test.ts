// A token that cannot be decrypted, or that Scompler rejected, fails its run at once,
// non-retryably, with a type the Web UI shows; only a handler that reads the token needs it. A
// real worker, real Temporal, real PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto'
import type { ApplicationFailure } from '@temporalio/common'
import { parseEnvelope } from '../../src/events'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { createTokenCipher, TOKEN_UNREADABLE } from '../../src/store/token-cipher'
import { markTokenRejected } from '../../src/store/installations'
import { FAILURE } from '../../src/domain'
import { getLedgerEntry } from '../../src/store/ledger'
import { createHandlers } from '../../src/lib/worker'
import { newAccountId, postingEvent } from '../helpers/events'
import { installFor } from '../helpers/installations'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'

/** Accounts whose posting handler reads the token; the others' handler does not need it. */
const readsToken = new Set<string>()
const seen: string[] = []

const stack = useStack({
  name: 'token-failures',
  worker: true,
  handlers: createHandlers().on('posting.sent_to_publish', async ({ event, installation }) => {
    if (readsToken.has(event.accountId)) seen.push(await installation!.accessToken())
  }),
})

async function postingsOf(accountId: string): Promise<number> {
  const { rows } = await stack.store.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM posting_publications WHERE account_id = $1',
    [accountId],
  )
  return rows[0]!.n
}

async function runPosting(accountId: string) {
  const event = parseEnvelope(postingEvent({ account_id: accountId }))
  const handle = await stack.client.workflow.start(
    'postingSentToPublish',
    workflowStartOptions(event, stack.taskQueue),
  )
  const description = await waitForClose(stack.client, event.id)
  return { description, handle }
}

const unreadable = {
  'under a key that is not configured': () => createTokenCipher({ current: randomBytes(32) }),
  'stored unencrypted although a key is configured': () => createTokenCipher(undefined),
}

describe.each(Object.entries(unreadable))('a token %s', (_name, writer) => {
  it('fails the run at once, non-retryably, when the handler reads it', async () => {
    const accountId = newAccountId()
    const accessToken = `secret-${randomUUID()}`
    await installFor(stack.store.db, accountId, { accessToken, tokens: writer() })
    readsToken.add(accountId)

    const { description, handle } = await runPosting(accountId)
    expect(description.status.name).toBe('FAILED')
    const failure = await handle
      .result()
      .catch((error: { cause?: { cause?: ApplicationFailure } }) => error.cause?.cause)
    expect(failure).toMatchObject({ type: TOKEN_UNREADABLE, nonRetryable: true })
    expect(String((failure as ApplicationFailure | undefined)?.message)).not.toContain(accessToken)
    const history = await handle.fetchHistory()
    const attempts = history.events?.flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
    )
    // claimEvent, the posting's step, then one attempt of the handler: no retry.
    expect(attempts).toEqual([1, 1, 1])
    expect(JSON.stringify(history)).not.toContain(accessToken)
    // The step recorded the posting; the event waits for its handler (a replay after the fix).
    expect(await postingsOf(accountId)).toBe(1)
    expect(await getLedgerEntry(stack.store.db, handle.workflowId)).toMatchObject({
      status: 'claimed',
    })
  })

  it('is not decrypted when the handler does not need it: the posting completes', async () => {
    const accountId = newAccountId()
    await installFor(stack.store.db, accountId, { tokens: writer() })
    const { description } = await runPosting(accountId)
    expect(description.status.name).toBe('COMPLETED')
    expect(await postingsOf(accountId)).toBe(1)
  })
})

describe('a token Scompler rejected (markTokenRejected: the installation stays active)', () => {
  async function rejectedInstallation(): Promise<string> {
    const accountId = newAccountId()
    const installationId = await installFor(stack.store.db, accountId)
    expect(await markTokenRejected(stack.store.db, installationId)).toBe(true)
    return accountId
  }

  it('records the posting, then fails the run at once when the handler asks for it', async () => {
    const accountId = await rejectedInstallation()
    readsToken.add(accountId)
    const { description, handle } = await runPosting(accountId)
    expect(description.status.name).toBe('FAILED')
    const failure = await handle
      .result()
      .catch((error: { cause?: { cause?: ApplicationFailure } }) => error.cause?.cause)
    expect(failure).toMatchObject({ type: FAILURE.tokenUnavailable, nonRetryable: true })
    const history = await handle.fetchHistory()
    const attempts = history.events?.flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
    )
    expect(attempts).toEqual([1, 1, 1])
    expect(await postingsOf(accountId)).toBe(1)
  })

  it('records the posting and completes when the handler does not ask', async () => {
    const accountId = await rejectedInstallation()
    const { description } = await runPosting(accountId)
    expect(description.status.name).toBe('COMPLETED')
    expect(await postingsOf(accountId)).toBe(1)
  })
})

it('hands a handler that reads it the decrypted token', async () => {
  const accountId = newAccountId()
  const accessToken = `secret-${randomUUID()}`
  await installFor(stack.store.db, accountId, { accessToken })
  readsToken.add(accountId)
  const { description } = await runPosting(accountId)
  expect(description.status.name).toBe('COMPLETED')
  expect(seen).toContain(accessToken)
})
