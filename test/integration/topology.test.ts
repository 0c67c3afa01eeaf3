// The docker compose topology as plain processes: the built API and worker (compiled JS, the
// prebuilt workflow bundle), PostgreSQL as the store, a real Temporal server. Then graceful
// shutdown of each, and the CLI (built) operating on it.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { addInstallation, getInstallation } from '../../src/store/installations'
import { freePort } from '../../src/shared/listen'
import { runCli } from '../helpers/cli'
import { createTestDatabase, type TestDatabase } from '../helpers/database'
import { testEnvironment } from '../helpers/environment'
import { delivery, newAccountId, postingEvent, SECRET, uninstallEvent } from '../helpers/events'
import { runEntryPoint, type RunningProcess } from '../helpers/process'
import { uniqueTaskQueue, waitForClose } from '../helpers/temporal'
import { createTokenCipher } from '../../src/store/token-cipher'

const ROOT = path.resolve(__dirname, '../..')
const dir = mkdtempSync(path.join(os.tmpdir(), 'topology-'))
const out = path.join(dir, 'dist')
const marker = path.join(dir, 'slow-hook-started')
const taskQueue = uniqueTaskQueue('topology')
let database: TestDatabase
let client: Client
let api: RunningProcess
let apiUrl: string

/** `npm run build`, into a directory of its own laid out as the image's /app (package.json too). */
function build(): void {
  // Their output (webpack's summary) is in the error when a step fails, and nowhere when it works.
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/tsc'),
    ['-p', 'tsconfig.build.json', '--outDir', out],
    { cwd: ROOT, stdio: 'pipe' },
  )
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/build-dist.ts', out], {
    cwd: ROOT,
    stdio: 'pipe',
  })
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'))
}

/** A user's HOOKS_MODULE whose related-data deletion is slow, to stop the worker mid-activity. */
function writeSlowHooks(): string {
  const file = path.join(dir, 'slow-hooks.js')
  writeFileSync(
    file,
    `const { writeFileSync } = require('node:fs')
module.exports = {
  async deleteRelatedData(tx, { accountId }) {
    writeFileSync(${JSON.stringify(marker)}, accountId)
    await new Promise((resolve) => setTimeout(resolve, 4000))
    const { rows } = await tx.query('DELETE FROM posting_publications WHERE account_id = $1 RETURNING 1', [accountId])
    return rows.length
  },
}
`,
  )
  return file
}

/**
 * A user's HOOKS_MODULE as docs/production.md has it, mounted inside /app: its
 * `scompler-webhooks/worker` is the built package (package.json's exports), whichever worker runs.
 */
function writeHandlersModule(): string {
  mkdirSync(path.join(dir, 'hooks'))
  const file = path.join(dir, 'hooks/handlers.cjs')
  writeFileSync(
    file,
    `const { createHandlers } = require('scompler-webhooks/worker')
module.exports = {
  default: createHandlers().on('test.hooks_module', async ({ data }) => ({
    n: data.n,
    package: require.resolve('scompler-webhooks/worker'),
  })),
}
`,
  )
  return file
}

const temporal = () => ({
  TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
  TEMPORAL_TASK_QUEUE: taskQueue,
})

/** The built worker, as the image runs it; `fromSource`: src/worker.ts, as `npm start` does. */
async function startWorker(hooksModule?: string, fromSource = false): Promise<RunningProcess> {
  const worker = runEntryPoint(
    fromSource ? 'src/worker.ts' : path.join(out, 'src/worker.js'),
    {
      ...temporal(),
      DATABASE_URL: database.url,
      WORKFLOW_BUNDLE_PATH: path.join(out, 'workflow-bundle.js'),
      WORKER_HEALTH_PORT: String(await freePort('127.0.0.1')),
      HOST: '127.0.0.1',
      HOOKS_MODULE: hooksModule,
    },
    !fromSource,
  )
  await worker.waitFor(/worker running/)
  return worker
}

async function startApi(): Promise<RunningProcess> {
  const port = await freePort('127.0.0.1')
  const started = runEntryPoint(
    path.join(out, 'src/api.js'),
    { ...temporal(), SCOMPLER_APP_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1' },
    true,
  )
  await started.waitFor(/API listening/)
  apiUrl = `http://127.0.0.1:${port}`
  return started
}

const cli = (args: string[]) =>
  runCli(
    [...args, '--json'],
    { ...temporal(), DATABASE_URL: database.url, SCOMPLER_APP_SECRET: SECRET },
    path.join(out, 'src/cli.js'),
  )

beforeAll(async () => {
  build()
  database = await createTestDatabase()
  client = new Client({
    connection: await Connection.connect({ address: testEnvironment().temporalAddress }),
  })
  api = await startApi()
}, 300_000)
afterAll(async () => {
  await api?.stop()
  await client?.connection.close()
  await database?.drop()
})

describe('the API and the worker as separate built processes on PostgreSQL', () => {
  let worker: RunningProcess
  beforeAll(async () => (worker = await startWorker()), 60_000)
  afterAll(async () => {
    expect(await worker.stop()).toBe(0)
  })

  it('delivers events end to end, lists a failed one, replays it, and refuses to replay a completed one', async () => {
    const accountId = newAccountId()
    await addInstallation(
      database.db,
      {
        installationId: randomUUID(),
        accountId,
        accessToken: 'token',
        installedAt: new Date(Date.now() - 60_000),
      },
      createTokenCipher(undefined),
    )
    const sent = await cli([
      'send',
      'posting.sent_to_publish',
      '--account-id',
      accountId,
      '--url',
      `${apiUrl}/webhooks/scompler`,
    ])
    expect(sent.code).toBe(0)
    const posting = sent.json().response
    expect(posting.status).toBe('accepted')
    expect((await waitForClose(client, posting.eventId)).status.name).toBe('COMPLETED')

    const broken = uninstallEvent({
      account_id: accountId,
      data: { installation_id: 'not-a-uuid' },
    })
    const { body, headers } = delivery(broken)
    expect(
      (await fetch(`${apiUrl}/webhooks/scompler`, { method: 'POST', body, headers })).status,
    ).toBe(200)
    const failed = await waitForClose(client, broken.id)
    expect(failed.status.name).toBe('FAILED')

    const shown = await cli(['events', 'show', broken.id])
    expect(shown.json().run).toMatchObject({
      status: 'FAILED',
      failure: expect.stringMatching(/installation_id/),
    })
    let listed: Array<{ eventId: string }> = []
    for (let i = 0; i < 30 && listed.length === 0; i++) {
      listed = (await cli(['events', 'list', '--failed', '--account-id', accountId])).json()
      if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(listed.map((row) => row.eventId)).toEqual([broken.id])

    const replayed = await cli(['events', 'replay', broken.id])
    expect(replayed.code).toBe(0)
    const { runId, previousRunId } = replayed.json()
    expect(runId).not.toBe(previousRunId)
    const rerun = await waitForClose(client, broken.id, runId)
    expect(rerun.runId).toBe(runId)
    // Same id, same recorded input: the data is still invalid, so the run fails the same way.
    expect(rerun.status.name).toBe('FAILED')

    const refused = await cli(['events', 'replay', posting.eventId])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(
      /is completed: only a failed, terminated or timed-out event runs again/,
    )
  }, 120_000)
})

describe('HOOKS_MODULE with handlers of the built package', () => {
  let hooks: string
  beforeAll(() => (hooks = writeHandlersModule()))

  it.each([
    ['the built worker (the image)', false],
    ['the worker from src/ (npm start in a clone), another copy of the package', true],
  ])(
    '%s takes the registry and runs its handler',
    async (_, fromSource) => {
      const worker = await startWorker(hooks, fromSource)
      try {
        const event = postingEvent({ event: 'test.hooks_module', data: { n: 7 } })
        const { body, headers } = delivery(event)
        expect(
          (await fetch(`${apiUrl}/webhooks/scompler`, { method: 'POST', body, headers })).status,
        ).toBe(200)
        expect((await waitForClose(client, event.id)).status.name).toBe('COMPLETED')
        expect(await client.workflow.getHandle(event.id).result()).toMatchObject({
          outcome: 'completed',
          handler: {
            activity: 'handle:test.hooks_module',
            result: { n: 7, package: path.join(out, 'src/lib/worker.js') },
          },
        })
      } finally {
        expect(await worker.stop()).toBe(0)
      }
    },
    120_000,
  )
})

describe('graceful shutdown', () => {
  it('SIGTERM to the worker mid-activity loses nothing: the run completes after a restart', async () => {
    const worker = await startWorker(writeSlowHooks())
    const accountId = newAccountId()
    const installationId = randomUUID()
    await addInstallation(
      database.db,
      { installationId, accountId, accessToken: 'token' },
      createTokenCipher(undefined),
    )
    const event = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: true },
    })
    const { body, headers } = delivery(event)
    expect(
      (await fetch(`${apiUrl}/webhooks/scompler`, { method: 'POST', body, headers })).status,
    ).toBe(200)
    for (let i = 0; i < 300 && !existsSync(marker); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(existsSync(marker)).toBe(true)
    expect(await worker.stop('SIGTERM')).toBe(0)

    const restarted = await startWorker()
    try {
      const closed = await waitForClose(client, event.id, undefined, 60_000)
      expect(closed.status.name).toBe('COMPLETED')
      expect(await client.workflow.getHandle(event.id).result()).toMatchObject({
        outcome: 'completed',
        details: { tokensRemoved: 1 },
      })
      expect(await getInstallation(database.db, installationId)).toMatchObject({
        status: 'uninstalled',
        hasToken: false,
      })
    } finally {
      expect(await restarted.stop()).toBe(0)
    }
  }, 120_000)

  it('SIGTERM to the API lets a request in flight finish and refuses new connections', async () => {
    const event = postingEvent()
    const { body, headers } = delivery(event)
    const half = Math.floor(body.length / 2)
    const { port } = new URL(apiUrl)
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/webhooks/scompler',
      agent: false,
      headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
    })
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      })
      req.on('error', reject)
    })
    req.write(body.slice(0, half))
    await new Promise((resolve) => setTimeout(resolve, 300))
    api.child.kill('SIGTERM')
    await api.waitFor(/shutting down: finishing requests in flight/)
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow()
    req.end(body.slice(half))
    const finished = await answer
    expect(finished.status).toBe(200)
    expect(JSON.parse(finished.body)).toMatchObject({ status: 'accepted', eventId: event.id })
    expect(await api.exited).toBe(0)
  }, 60_000)
})
