// Records one history per branch of each workflow, as the Temporal CLI exports them
// (`temporal workflow show --output json`), into test/fixtures/histories/. Run it when a workflow
// changes on purpose (with a patch for runs in flight), then commit the new fixtures:
//   npx tsx test/replay/record-histories.ts [workflows] [handlers]
// (both groups by default; name one to add its histories without re-recording the other's).
// The replay test (replay.test.ts) runs every fixture against today's workflow code.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { bundleWorkflowCode } from '@temporalio/worker'
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/worker/create-worker'
import { createHandlers, HandlerFailure } from '../../src/lib/worker'
import { HAND_OVER_WORKFLOW, handOverId, type ScomplerEvent } from '../../src/domain'
import { parseEnvelope } from '../../src/events'
import { addInstallation } from '../../src/store/installations'
import { workflowStartOptions } from '../../src/temporal/start-event'
import { freePort } from '../../src/shared/listen'
import { findTemporalCli, startDevServer } from '../../src/temporal/dev-server'
import { setupNamespace } from '../../src/temporal/namespace'
import { createTestDatabase } from '../helpers/database'
import { TEST_NAMESPACE } from '../helpers/environment'
import { postingEvent, uninstallEvent, type WireEvent } from '../helpers/events'
import { refuseTransactions } from '../helpers/faults'
import { startTestWorker, waitForClose } from '../helpers/temporal'
import { TEST_TOKENS } from '../helpers/tokens'

export const HISTORIES_DIR = path.join(__dirname, '../fixtures/histories')
const TASK_QUEUE = 'record-histories'
const HANDLERS_TASK_QUEUE = 'record-histories-handlers'
const REFUSING_TASK_QUEUE = 'record-histories-refusing'

const GROUPS = ['workflows', 'handlers'] as const
type Group = (typeof GROUPS)[number]

async function main(groups: Group[]): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'record-histories-'))
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH, process.env)
  const server = await startDevServer({
    cliPath: cli,
    env: process.env,
    namespace: TEST_NAMESPACE,
    port: await freePort('127.0.0.1'),
  })
  const store = await createTestDatabase()
  const connection = await Connection.connect({ address: server.address })
  const client = new Client({ connection, namespace: TEST_NAMESPACE })
  try {
    await setupNamespace(connection, TEST_NAMESPACE, 72 * 3600_000)
    const bundlePath = path.join(tmp, 'workflow-bundle.js')
    writeFileSync(bundlePath, (await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS)).code)
    process.env.SCOMPLER_TEST_ENV = JSON.stringify({
      temporalAddress: server.address,
      bundlePath,
      tmpDir: tmp,
    })
    const failingAccounts = new Set<string>()
    const handlers = createHandlers()
      .on('app.uninstalled', async () => ({ cleaned: true }))
      .on('posting.sent_to_publish', async ({ attempt, event }) => {
        if (failingAccounts.has(event.accountId)) throw new HandlerFailure('refused')
        if (attempt < 2) throw new Error('the service is down')
        return { pushed: true }
      })
      .on('posting.archived', async () => 'archived')
      .on('survey.answered', async () => ({ imported: true }))
    const worker = await startTestWorker({ db: store.db, taskQueue: TASK_QUEUE })
    // Runs of events with a handler: a worker of their own, so the other branches have none.
    const handlerWorker = await startTestWorker({
      db: store.db,
      taskQueue: HANDLERS_TASK_QUEUE,
      handlers,
    })
    // A run whose store step is retried until it is cancelled: a store refusing every
    // transaction (as while PostgreSQL restarts).
    const refusingWorker = await startTestWorker({
      db: refuseTransactions(store.db, Infinity, '57P01').db,
      taskQueue: REFUSING_TASK_QUEUE,
    })
    try {
      const record = async (name: string, wire: WireEvent, how: StartHow = {}) => {
        const event = parseEnvelope(JSON.parse(JSON.stringify(wire)))
        const handle = await start(client, event, how)
        const closed = await waitForClose(client, handle.workflowId, handle.firstExecutionRunId)
        save(cli, server.address, name, handle.workflowId, handle.firstExecutionRunId)
        process.stdout.write(`${name}: ${closed.status.name}\n`)
      }
      const install = async (accountId: string) => {
        const installationId = randomUUID()
        await addInstallation(
          store.db,
          {
            installationId,
            accountId,
            accessToken: 'recorded-token',
            installedAt: new Date(Date.now() - 3600_000),
          },
          TEST_TOKENS,
        )
        return installationId
      }

      if (groups.includes('handlers')) {
        const uninstall = uninstallEvent()
        uninstall.data.installation_id = await install(String(uninstall.account_id))
        await record('app-uninstalled-handled', uninstall, withHandlers)
        const posting = postingEvent()
        await install(String(posting.account_id))
        await record('posting-sent-to-publish-handled-after-retry', posting, withHandlers)
        const refused = postingEvent()
        await install(String(refused.account_id))
        failingAccounts.add(String(refused.account_id))
        await record('posting-sent-to-publish-handler-failure', refused, withHandlers)
        await record(
          'unhandled-event-handled',
          { ...postingEvent(), event: 'posting.archived', data: { posting_id: 1 } },
          withHandlers,
        )
        // Recorded with no handler (not kept), then handed to the one registered since.
        const survey = { ...postingEvent(), event: 'survey.answered', data: { answer: 1 } }
        const recorded = await start(client, parseEnvelope(survey))
        await waitForClose(client, recorded.workflowId, recorded.firstExecutionRunId)
        await record('hand-over-event-handled', survey, {
          ...withHandlers,
          workflowId: handOverId(survey.id),
          workflowType: HAND_OVER_WORKFLOW,
        })
      }
      if (!groups.includes('workflows')) return

      const uninstall = uninstallEvent()
      const accountId = String(uninstall.account_id)
      uninstall.data.installation_id = await install(accountId)
      await record('app-uninstalled-completed', uninstall)
      // The same event again under another workflow id: the ledger answers duplicate.
      await record('app-uninstalled-duplicate', uninstall, { workflowId: randomUUID() })
      await record('app-uninstalled-skipped', uninstallEvent())
      await record(
        'app-uninstalled-failed-invalid-data',
        uninstallEvent({ data: { delete_related_data: true } }),
      )

      const posting = postingEvent()
      await install(String(posting.account_id))
      await record('posting-sent-to-publish-completed', posting)
      await record('posting-sent-to-publish-skipped', postingEvent())

      const stuck = postingEvent()
      await install(String(stuck.account_id))
      const event = parseEnvelope(JSON.parse(JSON.stringify(stuck)))
      const handle = await start(client, event, { taskQueue: REFUSING_TASK_QUEUE })
      await waitForFailedAttempt(client, handle.workflowId)
      await handle.cancel()
      const closed = await waitForClose(client, handle.workflowId, handle.firstExecutionRunId)
      save(
        cli,
        server.address,
        'posting-sent-to-publish-cancelled',
        handle.workflowId,
        handle.firstExecutionRunId,
      )
      process.stdout.write(`posting-sent-to-publish-cancelled: ${closed.status.name}\n`)

      await record('unhandled-event-completed', {
        ...postingEvent(),
        event: 'posting.archived',
        data: { posting_id: 1 },
      })
    } finally {
      await worker.stop()
      await handlerWorker.stop()
      await refusingWorker.stop()
    }
  } finally {
    await connection.close()
    await store.drop()
    await server.stop()
  }
}

interface StartHow {
  workflowId?: string
  taskQueue?: string
  workflowType?: string
}

const withHandlers = { taskQueue: HANDLERS_TASK_QUEUE }

function start(client: Client, event: ScomplerEvent, how: StartHow = {}) {
  const options = workflowStartOptions(event, how.taskQueue ?? TASK_QUEUE)
  return client.workflow.start(how.workflowType ?? workflowTypeOf(event), {
    ...options,
    workflowId: how.workflowId ?? options.workflowId,
  })
}

function workflowTypeOf(event: ScomplerEvent): string {
  return (
    { 'app.uninstalled': 'appUninstalled', 'posting.sent_to_publish': 'postingSentToPublish' }[
      event.event
    ] ?? 'unhandledEvent'
  )
}

async function waitForFailedAttempt(client: Client, workflowId: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const { raw } = await client.workflow.getHandle(workflowId).describe()
    if ((raw.pendingActivities ?? []).some((activity) => activity.lastFailure)) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`no failed attempt of ${workflowId}`)
}

function save(cli: string, address: string, name: string, workflowId: string, runId: string) {
  const json = execFileSync(cli, [
    'workflow',
    'show',
    '--address',
    address,
    '--namespace',
    TEST_NAMESPACE,
    '--workflow-id',
    workflowId,
    '--run-id',
    runId,
    '--output',
    'json',
  ])
  mkdirSync(HISTORIES_DIR, { recursive: true })
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json)
}

if (require.main === module) {
  const asked = process.argv.slice(2)
  const unknown = asked.filter((group) => !(GROUPS as readonly string[]).includes(group))
  if (unknown.length > 0)
    throw new Error(`unknown groups: ${unknown.join(', ')} (${GROUPS.join(', ')})`)
  main(asked.length > 0 ? (asked as Group[]) : [...GROUPS]).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`record-histories: ${(error as Error).stack}\n`)
      process.exit(1)
    },
  )
}
