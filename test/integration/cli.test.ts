// `scompler-webhooks` as a user runs it (the package bin), on each of its ways to the store:
// PostgreSQL (DATABASE_URL), the embedded store itself, and a running `npm start`.
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { freePort } from '../../src/shared/listen'
import { runCli } from '../helpers/cli'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { testEnvironment } from '../helpers/environment'
import { newAccountId, SECRET } from '../helpers/events'
import { runEntryPoint, type RunningProcess } from '../helpers/process'
import { uniqueTaskQueue, waitForClose } from '../helpers/temporal'

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'cli-'))

describe('installations over PostgreSQL (DATABASE_URL)', () => {
  let database: TestDatabase
  beforeAll(async () => (database = await createTestDatabase()))
  afterAll(() => database.drop())

  it('adds, lists and removes an installation, and says why it cannot remove twice', async () => {
    const env = { DATABASE_URL: database.url }
    const accountId = newAccountId()
    const id = randomUUID()
    const added = await runCli(
      ['installations', 'add', '--account-id', accountId, '--installation-id', id, '--json'],
      env,
    )
    expect(added.code).toBe(0)
    expect(added.json()).toEqual({ result: 'added', installationId: id, accountId })

    const listed = await runCli(['installations', 'list', '--account-id', accountId, '--json'], env)
    expect(listed.json()).toEqual([
      expect.objectContaining({ installationId: id, status: 'active', hasToken: true }),
    ])
    expect(listed.stdout).not.toContain('test-token')

    const removed = await runCli(['installations', 'remove', id], env)
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain(`removed: installation ${id}`)
    const again = await runCli(['installations', 'remove', id], env)
    expect(again.stdout).toContain('already uninstalled')
    // An uninstalled installation stays a tombstone: it cannot be added back.
    const readded = await runCli(
      ['installations', 'add', '--account-id', accountId, '--installation-id', id],
      env,
    )
    expect(readded.code).toBe(1)
    expect(readded.stderr).toMatch(/was uninstalled/)
  }, 300_000)

  it('answers bad arguments with exit code 2 and unknown ids with 3', async () => {
    const env = { DATABASE_URL: database.url }
    const badId = await runCli(['installations', 'remove', 'not-a-uuid'], env)
    expect(badId.code).toBe(2)
    expect(badId.stderr.trim()).toBe('scompler-webhooks: installation id not-a-uuid is not a UUID')
    const missing = await runCli(['installations', 'add'], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/required option '--account-id <id>' not specified/)
    const unknown = await runCli(['installations', 'remove', randomUUID()], env)
    expect(unknown.code).toBe(3)
    const help = await runCli(['events', 'replay', '--help'], env)
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Usage: scompler-webhooks events replay \[options\] <event-id>/)
  }, 300_000)
})

describe('installations on the embedded store, with nothing running', () => {
  it('opens PGlite itself, and what it adds is there the next time', async () => {
    const env = { DATA_DIR: tempDir() }
    const accountId = newAccountId()
    const added = await runCli(['installations', 'add', '--account-id', accountId], env)
    expect(added.code).toBe(0)
    const listed = await runCli(['--json', 'installations', 'list'], env)
    expect(listed.json()).toEqual([expect.objectContaining({ accountId, status: 'active' })])
  }, 120_000)
})

describe('while npm start runs on the embedded store', () => {
  const dataDir = tempDir()
  const taskQueue = uniqueTaskQueue('cli')
  let app: RunningProcess
  let webhookUrl: string
  const env = () => ({ DATA_DIR: dataDir, SCOMPLER_APP_SECRET: SECRET })

  beforeAll(async () => {
    app = runEntryPoint('src/main.ts', {
      SCOMPLER_APP_SECRET: SECRET,
      DATA_DIR: dataDir,
      PORT: String(await freePort('127.0.0.1')),
      TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_UI_URL: 'http://ui.example:8233',
      WORKFLOW_BUNDLE_PATH: testEnvironment().bundlePath,
    })
    webhookUrl = (await app.waitFor(/Webhook URL: (\S+)/, 120_000))[1]!
  }, 150_000)
  // npm start's own Ctrl-C behaviour is pinned in entry-points.test.ts.
  afterAll(() => app.stop('SIGINT'))

  it('adds an installation through npm start, sends an uninstall for it, and shows the run', async () => {
    const accountId = newAccountId()
    const installationId = randomUUID()
    const added = await runCli(
      ['installations', 'add', '--account-id', accountId, '--installation-id', installationId],
      env(),
    )
    expect(added.code).toBe(0)

    const sent = await runCli(
      [
        'send',
        'app.uninstalled',
        '--account-id',
        accountId,
        '--data',
        `installation_id=${installationId}`,
        '--json',
      ],
      env(),
    )
    expect(sent.code).toBe(0)
    const { response, webUiUrl, httpStatus } = sent.json()
    expect(httpStatus).toBe(200)
    expect(response.status).toBe('accepted')
    expect(webUiUrl).toBe(
      `http://ui.example:8233/namespaces/default/workflows/${response.workflowId}/${response.runId}/history`,
    )
    expect(sent.stdout + sent.stderr).not.toContain(SECRET)

    const connection = await Connection.connect({ address: testEnvironment().temporalAddress })
    try {
      await waitForClose(new Client({ connection }), response.workflowId)
    } finally {
      await connection.close()
    }
    const shown = await runCli(['events', 'show', response.eventId, '--json'], env())
    expect(shown.code).toBe(0)
    expect(shown.json()).toMatchObject({
      eventId: response.eventId,
      run: { status: 'COMPLETED', result: { outcome: 'completed', details: { tokensRemoved: 1 } } },
      ledger: { status: 'completed' },
    })
    const listed = await runCli(['installations', 'list', '--account-id', accountId], env())
    expect(listed.stdout).toMatch(
      new RegExp(`${installationId}\\s+${accountId}\\s+uninstalled\\s+no`),
    )
    expect(webhookUrl).toMatch(/^http:\/\/localhost:\d+\/webhooks\/scompler$/)
  }, 300_000)

  it('says an unknown event is unknown (3) and an unreachable endpoint is unreachable (4)', async () => {
    const unknown = await runCli(['events', 'show', randomUUID()], env())
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toMatch(/^scompler-webhooks: no event /)
    const deadUrl = `http://127.0.0.1:${await freePort('127.0.0.1')}/webhooks/scompler`
    const unreachable = await runCli(['send', 'app.uninstalled', '--url', deadUrl], env())
    expect(unreachable.code).toBe(4)
    expect(unreachable.stderr.trim()).toBe(
      `scompler-webhooks: the webhook endpoint ${deadUrl} is unreachable`,
    )
  }, 60_000)
})
