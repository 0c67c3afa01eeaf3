// Access tokens at rest: encrypted in PostgreSQL, decrypted only for a handler that asks, never in
// workflow inputs or results, and readable across a key rotation.
import { randomBytes, randomUUID } from 'node:crypto'
import { parseEnvelope } from '../../src/events'
import {
  addInstallation,
  lockActiveInstallation,
  reencryptTokens,
} from '../../src/store/installations'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { createTokenCipher, TokenDecryptionError } from '../../src/store/token-cipher'
import { createHandlers } from '../../src/lib/worker'
import { newAccountId, postingEvent } from '../helpers/events'
import { useStack } from '../helpers/stack'
import { startTestWorker, waitForClose } from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

const stack = useStack({ name: 'tokens', database: true })

async function install(tokens = TEST_TOKENS, accessToken = `scompler-token-${randomUUID()}`) {
  const installation = {
    installationId: randomUUID(),
    accountId: newAccountId(),
    accessToken,
    installedAt: new Date(Date.now() - 3600_000),
  }
  await addInstallation(stack.store.db, installation, tokens)
  return installation
}

async function storedToken(installationId: string): Promise<string> {
  const { rows } = await stack.store.db.query<{ token: string }>(
    'SELECT access_token AS token FROM installations WHERE installation_id = $1',
    [installationId],
  )
  return rows[0]!.token
}

const read = (accountId: string, tokens = TEST_TOKENS) =>
  stack.store.db.transaction((tx) => lockActiveInstallation(tx, accountId, tokens))

it('stores the token encrypted, not as it came', async () => {
  const { installationId, accessToken } = await install()
  const stored = await storedToken(installationId)
  expect(stored).toMatch(/^enc:v1:[0-9a-f]{12}:/)
  expect(stored).not.toContain(accessToken)
})

it("hands the posting's handler the decrypted token, and keeps it out of the run", async () => {
  const { accountId, accessToken } = await install()
  const seen: string[] = []
  const worker = await startTestWorker({
    db: stack.store.db,
    taskQueue: stack.taskQueue,
    handlers: createHandlers().on('posting.sent_to_publish', async ({ installation }) => {
      seen.push(await installation!.accessToken())
    }),
  })
  try {
    const event = parseEnvelope(postingEvent({ account_id: accountId }))
    await stack.client.workflow.start(
      'postingSentToPublish',
      workflowStartOptions(event, stack.taskQueue),
    )
    expect((await waitForClose(stack.client, event.id)).status.name).toBe('COMPLETED')
    expect(seen).toEqual([accessToken])
    const history = await stack.client.workflow.getHandle(event.id).fetchHistory()
    expect(JSON.stringify(history)).not.toContain(accessToken)
  } finally {
    await worker.stop()
  }
})

it('reads tokens of the previous key during a rotation, and re-encrypts them under the new one', async () => {
  const oldKey = randomBytes(32)
  const newKey = randomBytes(32)
  const { installationId, accountId, accessToken } = await install(
    createTokenCipher({ current: oldKey }),
  )
  const rotating = createTokenCipher({ current: newKey, previous: oldKey })
  expect((await read(accountId, rotating))?.accessToken).toBe(accessToken)
  expect((await reencryptTokens(stack.store.db, rotating)).reencrypted).toBeGreaterThanOrEqual(1)
  expect((await reencryptTokens(stack.store.db, rotating)).reencrypted).toBe(0)
  const rotated = createTokenCipher({ current: newKey })
  expect((await read(accountId, rotated))?.accessToken).toBe(accessToken)
  expect(await storedToken(installationId)).not.toContain(accessToken)
})

it('encrypts plaintext tokens once a key is configured', async () => {
  const { installationId, accountId, accessToken } = await install(createTokenCipher(undefined))
  expect(await storedToken(installationId)).toBe(accessToken)
  await reencryptTokens(stack.store.db, TEST_TOKENS)
  expect(await storedToken(installationId)).toMatch(/^enc:v1:/)
  expect((await read(accountId))?.accessToken).toBe(accessToken)
})

it('refuses, without showing the token, a key it does not have or a ciphertext moved to another row', async () => {
  const { accountId, installationId, accessToken } = await install()
  const other = await install()
  const error = await read(accountId, createTokenCipher({ current: randomBytes(32) })).catch(
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TokenDecryptionError)
  expect(String(error)).not.toContain(accessToken)
  await stack.store.db.query(
    'UPDATE installations SET access_token = $1 WHERE installation_id = $2',
    [await storedToken(installationId), other.installationId],
  )
  await expect(read(other.accountId)).rejects.toThrow(TokenDecryptionError)
})
