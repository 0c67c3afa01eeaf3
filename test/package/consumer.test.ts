// The package as a user gets it: `npm pack`, the tarball installed with npm (its dependencies from
// the registry) into a scratch project outside this checkout, the example app backend copied there,
// typechecked against the published types, its unit test run; then its API and worker, on the
// shared Temporal dev server and a PostgreSQL database of their own, get signed events over HTTP.
import { execFileSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import {
  copyFileSync,
  cpSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
} from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import { Client as PgClient } from 'pg'
import { freePort } from '../../src/shared/listen'
import { createEmptyDatabase } from '../helpers/database'
import { TEST_NAMESPACE, testEnvironment } from '../helpers/environment'
import {
  delivery,
  newAccountId,
  postingEvent,
  sign,
  SECRET,
  uninstallEvent,
  type WireEvent,
} from '../helpers/events'
import { runCommand, type RunningProcess } from '../helpers/process'
import { connectClient, uniqueTaskQueue } from '../helpers/temporal'

const ROOT = path.resolve(__dirname, '../..')
const scratch = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'scompler-consumer-')))
const app = path.join(scratch, 'app-backend')
const taskQueue = uniqueTaskQueue('consumer')
const WEBHOOK_PATH = '/integrations/scompler/webhook'
const ENTRY_POINTS = {
  'scompler-webhooks': ['createWebhookHandler', 'createWebhookMiddleware', 'signBody'],
  'scompler-webhooks/worker': ['createHandlers', 'createWorker', 'HandlerFailure'],
  'scompler-webhooks/store': ['markTokenRejected', 'openStore', 'recordInstallation'],
  'scompler-webhooks/testing': ['buildDelivery', 'buildEvent', 'runHandler', 'signBody'],
}

/** A user's environment: no npm_* variables of the `npm run` around this test (its prefix!). */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.toLowerCase().startsWith('npm_')) env[name] = value
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', ...extra }
}

interface RunOptions {
  /** node unless given */
  command?: string
  /** Variables besides the user's environment. */
  env?: Record<string, string>
}

/** `args` in `cwd`, in a user's environment; the output, or an error holding it. */
function run(args: string[], cwd: string, { command = process.execPath, env }: RunOptions = {}) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', env: userEnv(env), stdio: 'pipe' })
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`,
    )
  }
}

const npm = (args: string[], cwd: string, env?: Record<string, string>) =>
  run(args, cwd, { command: 'npm', env })
const tsc = (project: string) =>
  run([path.join(app, 'node_modules/typescript/bin/tsc'), '-p', project], app)

/** `npm pack` (its prepack builds), then the example with the tarball installed as a dependency. */
function packAndInstall(): string {
  npm(['pack', '--pack-destination', scratch], ROOT)
  const tarball = readdirSync(scratch).find((file) => file.endsWith('.tgz'))
  if (!tarball) throw new Error(`npm pack left no tarball in ${scratch}`)
  cpSync(path.join(ROOT, 'examples/app-backend'), app, {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  })
  npm(['install', path.join(scratch, tarball)], app)
  return path.join(scratch, tarball)
}

/** The type fixtures, once per module setting: .mts (ESM), .cts (CommonJS), .ts (bundler). */
function copyTypeFixtures(): string {
  const dir = path.join(app, 'types-check')
  cpSync(path.join(__dirname, 'types'), dir, { recursive: true })
  for (const name of ['consumer', 'internal']) {
    copyFileSync(path.join(dir, `${name}.ts`), path.join(dir, `${name}.mts`))
    copyFileSync(path.join(dir, `${name}.ts`), path.join(dir, `${name}.cts`))
  }
  return dir
}

interface Publication {
  headers: IncomingHttpHeaders
  body: { postingId?: string; accountId?: string }
}

/** The service the example's posting handler publishes to: records calls, answers as told. */
async function startPublisher() {
  const calls: Publication[] = []
  const answers = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    req.on('end', () => {
      const body = JSON.parse(raw) as Publication['body']
      calls.push({ headers: req.headers, body })
      res.writeHead(answers.get(String(body.postingId)) ?? 200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const callsFor = (eventId: string) =>
    calls.filter((c) => c.headers['idempotency-key'] === eventId)
  return { url, answers, callsFor, close: () => new Promise((resolve) => server.close(resolve)) }
}

let tarball: string
let publisher: Awaited<ReturnType<typeof startPublisher>>
let database: Awaited<ReturnType<typeof createEmptyDatabase>>
let pg: PgClient
let client: Client
let worker: RunningProcess
let api: RunningProcess
let apiUrl: string
/** The example's settings, which its CLI calls share. */
let exampleEnv: Record<string, string>

async function startExample(): Promise<void> {
  const port = await freePort('127.0.0.1')
  exampleEnv = {
    DATABASE_URL: database.url,
    SCOMPLER_APP_SECRET: SECRET,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
    TEMPORAL_NAMESPACE: TEST_NAMESPACE,
    TEMPORAL_TASK_QUEUE: taskQueue,
    PUBLISHER_URL: publisher.url,
    PORT: String(port),
  }
  const env = userEnv(exampleEnv)
  worker = runCommand(process.execPath, ['src/worker.ts'], 'the example worker', env, app)
  api = runCommand(process.execPath, ['src/api.ts'], 'the example API', env, app)
  await Promise.all([worker.waitFor(/worker running/), api.waitFor(/API listening/)])
  apiUrl = `http://127.0.0.1:${port}`
}

beforeAll(async () => {
  tarball = packAndInstall()
  ;[publisher, database, client] = await Promise.all([
    startPublisher(),
    createEmptyDatabase(),
    connectClient(),
  ])
  pg = new PgClient({ connectionString: database.url })
  await pg.connect()
}, 600_000)
afterAll(async () => {
  await Promise.all([worker?.stop(), api?.stop()])
  await pg?.end()
  await client?.connection.close()
  await database?.drop()
  await publisher?.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('the packed package', () => {
  it('holds the build, its declarations, the workflow bundle, the migrations and the CLI only', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
    for (const entry of ['index', 'worker', 'store', 'testing']) {
      expect(files).toContain(`package/dist/src/lib/${entry}.js`)
      expect(files).toContain(`package/dist/src/lib/${entry}.d.ts`)
    }
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/workflow-bundle.js',
        'package/dist/src/store/migrations/001_initial.sql',
        'package/bin/scompler-webhooks.js',
        'package/LICENSE',
        'package/README.md',
      ]),
    )
    const unexpected = files.filter(
      (file) =>
        /\.(map|tsbuildinfo)$/.test(file) ||
        (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
        /^package\/(test|examples|workflows|dist\/workflows|docs|scripts|bench)\//.test(file),
    )
    expect(unexpected).toEqual([])
  })

  it('is installed as files, with no link to this checkout', () => {
    const installed = path.join(app, 'node_modules/scompler-webhooks')
    expect(lstatSync(installed).isSymbolicLink()).toBe(false)
    expect(realpathSync(installed).startsWith(scratch)).toBe(true)
    expect(realpathSync(require.resolve('@temporalio/worker', { paths: [app] }))).toMatch(
      new RegExp(`^${scratch}/app-backend/node_modules/@temporalio/worker/`),
    )
  })

  it('gives CommonJS and ES module consumers the same named exports of each entry point', () => {
    copyFileSync(path.join(__dirname, 'check-formats.cjs'), path.join(app, 'check-formats.cjs'))
    const report = JSON.parse(run(['check-formats.cjs'], app)) as Record<
      string,
      { required: string[]; imported: string[]; sameObjects: boolean }
    >
    for (const [entry, names] of Object.entries(ENTRY_POINTS)) {
      expect(report[entry]?.required).toEqual(expect.arrayContaining(names))
      expect(report[entry]?.imported).toEqual(report[entry]?.required)
      expect(report[entry]?.sameObjects).toBe(true)
    }
  })

  it('loads no worker, store or activity code through its root entry (the API side)', () => {
    const loaded = JSON.parse(run(['check-formats.cjs', '--root-only'], app)) as string[]
    expect(loaded).toContain('scompler-webhooks')
    for (const heavy of [
      '@temporalio/worker',
      '@temporalio/activity',
      'pg',
      '@electric-sql/pglite',
    ]) {
      expect(loaded).not.toContain(heavy)
    }
  })

  it('refuses imports of its internals', () => {
    const deepImport = "require('scompler-webhooks/dist/src/store/database')"
    expect(() => run(['-e', deepImport], app)).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/)
  })

  it('has types that resolve under nodenext (ESM), node16 (CommonJS) and bundler resolution', () => {
    const dir = copyTypeFixtures()
    // skipLibCheck is off, to check our declarations: the Temporal SDK's then need @types/ms.
    npm(['install', '--no-save', '@types/ms@2.1.0'], app)
    for (const setting of ['nodenext-esm', 'node16-cjs', 'bundler']) {
      expect(() => tsc(path.join(dir, `tsconfig.${setting}.json`))).not.toThrow()
    }
  }, 300_000)

  it('typechecks the example against the published types and passes its handler unit test', () => {
    tsc(app)
    // Its own `npm test` (node --test): fails the step when a test fails.
    expect(npm(['test'], app)).toMatch(/pass 4/)
  }, 120_000)

  it('runs its CLI as the package bin', () => {
    expect(npm(['exec', '--', 'scompler-webhooks', '--help'], app)).toMatch(/events/)
  })
})

/** Delivers a signed event to the example's webhook path; returns the status and JSON answer. */
async function deliver(event: WireEvent | string) {
  const { body, headers } = delivery(event)
  const response = await fetch(`${apiUrl}${WEBHOOK_PATH}`, { method: 'POST', body, headers })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function install(accountId: string, accessToken: string): Promise<string> {
  const installationId = randomUUID()
  const body = JSON.stringify({
    installation_id: installationId,
    account_id: accountId,
    access_token: accessToken,
  })
  const response = await fetch(`${apiUrl}/install`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
  })
  expect(response.status).toBe(201)
  return installationId
}

/** The run's final state: its result, or its failure. */
async function outcome(eventId: string) {
  const handle = client.workflow.getHandle(eventId)
  const result: unknown = await handle.result().catch((error: Error) => error)
  return { result, status: (await handle.describe()).status.name }
}

/** The package's CLI, as the example's operator runs it (`npx scompler-webhooks … --json`). */
const cli = (args: string[]) =>
  npm(['exec', '--', 'scompler-webhooks', ...args, '--json'], app, exampleEnv)

/** The messages of a failed run's error and its causes (activity failure, application failure). */
function causes(error: unknown): string {
  const messages: string[] = []
  for (let cause = error; cause instanceof Error; cause = cause.cause) messages.push(cause.message)
  return messages.join(' <- ')
}

/** The example's rows of an account in one of its own tables. */
async function rows(table: string, accountId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await pg.query<Record<string, unknown>>(
    `SELECT * FROM ${table} WHERE account_id = $1`,
    [accountId],
  )
  return rows
}

describe('the example app backend, from the packed package', () => {
  beforeAll(startExample, 120_000)

  it('serves its own routes beside the webhook endpoint, behind an app-wide body parser', async () => {
    const hello = await fetch(`${apiUrl}/api/hello`)
    expect(hello.status).toBe(200)
    const forged = await fetch(`${apiUrl}/install`, {
      method: 'POST',
      body: '{"installation_id":"x","access_token":"y"}',
      headers: { 'content-type': 'application/json', 'x-signature': '0'.repeat(64) },
    })
    expect(forged.status).toBe(401)
    const wrongMethod = await fetch(`${apiUrl}${WEBHOOK_PATH}`)
    expect(wrongMethod.status).toBe(405)
  })

  it('publishes a posting once, with the installation token, though it is delivered twice', async () => {
    const accountId = newAccountId()
    await install(accountId, 'token-of-the-account')
    const event = postingEvent({ account_id: accountId, data: { posting_id: 501, service_id: 9 } })
    expect((await deliver(event)).body.status).toBe('accepted')
    const { result, status } = await outcome(event.id)
    expect(status).toBe('COMPLETED')
    expect(JSON.stringify(result)).toContain('"published":"501"')
    expect((await deliver(event)).body.status).toBe('duplicate')
    expect(publisher.callsFor(event.id)).toHaveLength(1)
    expect(publisher.callsFor(event.id)[0]?.headers.authorization).toBe(
      'Bearer token-of-the-account',
    )
    expect(await rows('app_published_postings', accountId)).toHaveLength(1)
  })

  it('hands an event type the receiver does not know to its registered handler', async () => {
    const accountId = newAccountId()
    const event = postingEvent({
      event: 'comment.created',
      account_id: accountId,
      data: { comment_id: 'c-77', text: 'Ship it' },
    })
    expect((await deliver(event)).status).toBe(200)
    expect((await outcome(event.id)).status).toBe('COMPLETED')
    expect(await rows('app_comments', accountId)).toEqual([
      expect.objectContaining({ event_id: event.id, comment_id: 'c-77', body: 'Ship it' }),
    ])
  })

  it('retries a handler whose service is down, fails the run visibly, replays it after the fix', async () => {
    const accountId = newAccountId()
    await install(accountId, 'token-2')
    publisher.answers.set('502', 503)
    const event = postingEvent({ account_id: accountId, data: { posting_id: 502, service_id: 9 } })
    await deliver(event)
    const { result, status } = await outcome(event.id)
    expect(status).toBe('FAILED')
    expect(causes(result)).toMatch(/HTTP 503/)
    // The example's retry policy: 4 attempts, each with the event id as idempotency key.
    expect(publisher.callsFor(event.id)).toHaveLength(4)
    expect(await rows('app_published_postings', accountId)).toEqual([])
    // The event is claimed, not completed: after a fix, it runs again under its id.
    const shown = JSON.parse(cli(['events', 'show', event.id])) as {
      run: { status: string }
      ledger: { status: string }
    }
    expect(shown).toMatchObject({ run: { status: 'FAILED' }, ledger: { status: 'claimed' } })
    publisher.answers.delete('502')
    cli(['events', 'replay', event.id])
    expect((await outcome(event.id)).status).toBe('COMPLETED')
    expect(publisher.callsFor(event.id)).toHaveLength(5)
    expect(await rows('app_published_postings', accountId)).toHaveLength(1)
  }, 120_000)

  it('fails the run at once when a handler throws HandlerFailure', async () => {
    const accountId = newAccountId()
    await install(accountId, 'token-3')
    publisher.answers.set('503', 422)
    const event = postingEvent({ account_id: accountId, data: { posting_id: 503, service_id: 9 } })
    await deliver(event)
    expect((await outcome(event.id)).status).toBe('FAILED')
    expect(publisher.callsFor(event.id)).toHaveLength(1)
  })

  it("deletes the account's rows with its token on uninstall, then runs the uninstall handler", async () => {
    const accountId = newAccountId()
    const installationId = await install(accountId, 'token-4')
    const posting = postingEvent({
      account_id: accountId,
      data: { posting_id: 504, service_id: 9 },
    })
    await deliver(posting)
    expect((await outcome(posting.id)).status).toBe('COMPLETED')
    expect(await rows('app_published_postings', accountId)).toHaveLength(1)

    const uninstall = uninstallEvent({
      account_id: accountId,
      data: { installation_id: installationId, delete_related_data: true },
    })
    await deliver(uninstall)
    expect((await outcome(uninstall.id)).status).toBe('COMPLETED')
    expect(await rows('app_published_postings', accountId)).toEqual([])
    expect(await rows('app_offboarded_accounts', accountId)).toEqual([
      expect.objectContaining({ event_id: uninstall.id, related_data_deleted: true }),
    ])

    // No active installation any more: the store's step skips the posting, its handler never runs.
    const late = postingEvent({ account_id: accountId, data: { posting_id: 505, service_id: 9 } })
    await deliver(late)
    expect(JSON.stringify((await outcome(late.id)).result)).toContain('"skipped"')
    expect(publisher.callsFor(late.id)).toEqual([])
  })
})
