// The public createWorker (scompler-webhooks/worker), as a user's app builds it: their connection,
// a store, their handlers and deleteRelatedData; the workflows bundled at start, as in a package.
// Real Temporal, real PostgreSQL.
import { NativeConnection } from '@temporalio/worker'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { parseEnvelope } from '../../src/events'
import { workflowTypeFor } from '../../src/domain'
import { createHandlers, createWorker, type Store } from '../../src/lib/worker'
import { TEST_NAMESPACE, testEnvironment } from '../helpers/environment'
import { newAccountId, uninstallEvent } from '../helpers/events'
import { installFor } from '../helpers/installations'
import { useStack } from '../helpers/stack'
import { waitForClose } from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

const stack = useStack({ name: 'create-worker', database: true })

it('runs the receiver with the given handlers and deleteRelatedData', async () => {
  const calls: string[] = []
  const store: Store = { db: stack.store.db, tokens: TEST_TOKENS, close: async () => {} }
  const connection = await NativeConnection.connect({
    address: testEnvironment().temporalAddress,
  })
  try {
    const worker = await createWorker({
      connection,
      store,
      namespace: TEST_NAMESPACE,
      taskQueue: stack.taskQueue,
      handlers: createHandlers().on('app.uninstalled', async ({ event }) => {
        calls.push(`handler ${event.accountId}`)
        return 'forgotten'
      }),
      async deleteRelatedData(_tx, { accountId }) {
        calls.push(`deleteRelatedData ${accountId}`)
        return 2
      },
    })
    const accountId = newAccountId()
    const installationId = await installFor(stack.store.db, accountId)
    const event = parseEnvelope(
      uninstallEvent({
        account_id: accountId,
        data: { installation_id: installationId, delete_related_data: true },
      }),
    )
    const result = await worker.runUntil(async () => {
      const handle = await stack.client.workflow.start(
        workflowTypeFor(event.event),
        workflowStartOptions(event, stack.taskQueue),
      )
      await waitForClose(stack.client, event.id, handle.firstExecutionRunId, 60_000)
      return handle.result()
    })
    expect(result).toMatchObject({
      outcome: 'completed',
      details: { relatedRowsDeleted: 2 },
      handler: { activity: 'handle:app.uninstalled', result: 'forgotten' },
    })
    expect(calls).toEqual([`deleteRelatedData ${accountId}`, `handler ${accountId}`])
  } finally {
    await connection.close()
  }
}, 180_000)
