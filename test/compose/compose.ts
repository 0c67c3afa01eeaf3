// The compose test (npm run test:compose; docs/compose-test.md): the project's docker-compose.yml
// on a real Docker engine, signed events through Caddy's HTTPS and directly, a worker restart with
// events in flight, Temporal and its UI on loopback only, then `docker-compose down -v`.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { Client, Connection } from '@temporalio/client'
import { APP_DB_ROLE, APP_IMAGE, ComposeStack, run } from './compose-stack'
import { deliver, post, testEvent, type Answer, type Target, type TestEvent } from './deliver'

const started = Date.now()
const seconds = (since = started) => ((Date.now() - since) / 1000).toFixed(1)
const step = (message: string) =>
  console.log(`[compose-test ${seconds().padStart(6)} s] ${message}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every delivered event, with the run its first delivery started. */
const delivered = new Map<string, { event: TestEvent; runId: string }>()

async function deliverNew(target: Target, secret: string, event: TestEvent): Promise<void> {
  const answer = await deliver(target, secret, event)
  assert.equal(answer.status, 200, `${event.event} ${event.id}: ${JSON.stringify(answer.body)}`)
  assert.equal(answer.body.status, 'accepted')
  assert.ok(answer.body.runId)
  delivered.set(event.id, { event, runId: answer.body.runId })
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error instanceof Error ? error.message : JSON.stringify(error)
    }
    await sleep(500)
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`)
}

async function waitHealthy(stack: ComposeStack, services: string[]): Promise<void> {
  for (const service of services) {
    await until(`${service} healthy`, 120_000, async () => {
      const { State } = await stack.inspect(service)
      return State.Health?.Status === 'healthy' ? true : undefined
    })
  }
}

async function assertCompletedOneJobs(stack: ComposeStack): Promise<void> {
  for (const service of ['temporal-schema', 'temporal-namespace', 'setup']) {
    const { State } = await stack.inspect(service)
    assert.equal(State.Status, 'exited', `${service} is ${State.Status}`)
    assert.equal(State.ExitCode, 0, `${service} exited ${State.ExitCode}`)
  }
}

/** Each delivered event: exactly one run, the one its delivery started, completed with outcome completed. */
async function assertAllCompleted(client: Client): Promise<void> {
  await until('every delivered event completed', 180_000, async () => {
    for (const [id, { runId }] of delivered) {
      const description = await client.workflow.getHandle(id).describe()
      if (description.status.name !== 'COMPLETED') return undefined
      assert.equal(description.runId, runId, `${id}: the latest run is not the delivered one`)
    }
    return true
  })
  const runs = new Map<string, number>()
  await until('visibility lists every run', 60_000, async () => {
    runs.clear()
    for await (const execution of client.workflow.list()) {
      assert.equal(
        execution.status.name,
        'COMPLETED',
        `${execution.workflowId} ${execution.status.name}`,
      )
      runs.set(execution.workflowId, (runs.get(execution.workflowId) ?? 0) + 1)
    }
    return runs.size >= delivered.size ? true : undefined
  })
  for (const id of delivered.keys()) assert.equal(runs.get(id), 1, `${id}: ${runs.get(id)} runs`)
  assert.equal(runs.size, delivered.size, 'runs of events nobody delivered')
  for (const [id, { event }] of delivered) {
    const result = (await client.workflow.getHandle(id).result()) as { outcome: string }
    assert.equal(result.outcome, 'completed', `${event.event} ${id}: ${JSON.stringify(result)}`)
  }
}

/** The CLI in the worker container encrypted the token with the key from the Docker secret. */
async function assertTokenEncrypted(stack: ComposeStack, installationId: string): Promise<void> {
  assert.match(installationId, /^[0-9a-f-]{36}$/i)
  const stored = await stack.exec('postgres', [
    'psql',
    '--username=postgres',
    '--dbname=scompler',
    '--tuples-only',
    '--no-align',
    '--command',
    `SELECT access_token FROM installations WHERE installation_id = '${installationId}'`,
  ])
  // Only the prefix is printed: never the token.
  assert.ok(stored.trim().startsWith('enc:v1:'), `stored token starts ${stored.trim().slice(0, 7)}`)
  step("the installation's token is stored encrypted (enc:v1: in PostgreSQL, key from the secret)")
}

/** Only the worker gets DATABASE_URL and the token key: the API never opens the store, setup only talks to Temporal. */
async function assertDatabaseUrlOnlyForWorker(stack: ComposeStack): Promise<void> {
  const names = async (service: string) =>
    ((await stack.inspect(service)).Config.Env ?? []).map((entry) => entry.split('=')[0])
  for (const service of ['api', 'setup']) {
    const env = await names(service)
    for (const name of ['DATABASE_URL', 'DATABASE_URL_FILE', 'TOKEN_ENCRYPTION_KEY_FILE']) {
      assert.ok(!env.includes(name), `${service} has ${name}`)
    }
  }
  const worker = await names('worker')
  // The URL (with the app role's password) comes from a secret, not the environment.
  assert.ok(worker.includes('DATABASE_URL_FILE'), 'the worker has no DATABASE_URL_FILE')
  assert.ok(!worker.includes('DATABASE_URL'), 'the worker has DATABASE_URL in its environment')
  assert.ok(
    worker.includes('TOKEN_ENCRYPTION_KEY_FILE'),
    'the worker has no TOKEN_ENCRYPTION_KEY_FILE',
  )
  const secrets = await stack.exec('api', ['ls', '/run/secrets'])
  // The previous app secret is the API's too (a rotation); token keys are the worker's only.
  assert.deepEqual(
    secrets.trim().split(/\s+/),
    ['scompler_app_secret', 'scompler_app_secret_previous'],
    `api secrets: ${secrets}`,
  )
  step('DATABASE_URL(_FILE) and the token key: in the worker only (not api, not setup)')
}

/** psql as the superuser in the postgres container (local socket); tuples only, unaligned. */
async function sql(stack: ComposeStack, database: string, query: string): Promise<string> {
  const out = await stack.exec('postgres', [
    'psql',
    '--username=postgres',
    `--dbname=${database}`,
    '--tuples-only',
    '--no-align',
    '--command',
    query,
  ])
  return out.trim()
}

/**
 * The worker connects as the app's own role (deploy/postgres/initdb/10-roles.sh): not a superuser,
 * no CREATEDB/CREATEROLE, owner of its database (its migrations created the tables), and not
 * allowed into Temporal's databases. The superuser's password came from POSTGRES_PASSWORD_FILE.
 */
async function assertLeastPrivilegeRoles(stack: ComposeStack): Promise<void> {
  const role = await sql(
    stack,
    'postgres',
    `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = '${APP_DB_ROLE}'`,
  )
  assert.equal(role, 'f|f|f|f|f', `role ${APP_DB_ROLE}: ${role}`)
  const owners = await sql(
    stack,
    'postgres',
    "SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE datname IN ('scompler', 'temporal', 'temporal_visibility') ORDER BY datname",
  )
  assert.equal(
    owners.split('\n').join(' '),
    `scompler=${APP_DB_ROLE} temporal=temporal temporal_visibility=temporal`,
  )
  const tables = await sql(
    stack,
    'scompler',
    "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'",
  )
  assert.equal(tables, APP_DB_ROLE, `the app's tables are owned by ${tables}`)
  const connections = await sql(
    stack,
    'scompler',
    `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'scompler' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  )
  // The worker's pool may have closed its idle connections by now: any that are open are the app's.
  for (const user of connections.split('\n').filter(Boolean)) {
    assert.equal(user, APP_DB_ROLE, `connected to scompler as ${user}`)
  }
  const reach = await sql(
    stack,
    'postgres',
    `SELECT has_database_privilege('${APP_DB_ROLE}', 'temporal', 'CONNECT'), has_database_privilege('${APP_DB_ROLE}', 'temporal_visibility', 'CONNECT'), has_database_privilege('temporal', 'scompler', 'CONNECT')`,
  )
  assert.equal(reach, 'f|f|f', `cross-database CONNECT: ${reach}`)
  const superusers = await sql(stack, 'postgres', 'SELECT rolname FROM pg_roles WHERE rolsuper')
  assert.equal(superusers, 'postgres')
  // The superuser's password is the secret's (POSTGRES_PASSWORD_FILE), checked over TCP (scram).
  const login = (password: string) =>
    stack.exec('postgres', [
      'sh',
      '-c',
      `PGPASSWORD="${password}" psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1'`,
    ])
  assert.equal((await login('$(cat /run/secrets/postgres_password)')).trim(), '1')
  await assert.rejects(login('not-the-password'), /password authentication failed/)
  const postgresEnv = ((await stack.inspect('postgres')).Config.Env ?? []).map(
    (e) => e.split('=')[0],
  )
  assert.ok(!postgresEnv.includes('POSTGRES_PASSWORD'), 'postgres has POSTGRES_PASSWORD')
  step(
    `the worker uses role ${APP_DB_ROLE}: no superuser/createdb/createrole, owns only its database and tables, no CONNECT on Temporal's`,
  )
}

/** /readyz and /metrics on the API's unpublished OPS_PORT; the published webhook port answers 404. */
async function assertOpsListener(stack: ComposeStack): Promise<void> {
  const direct: Target = { kind: 'direct', port: stack.ports.api }
  for (const path of ['/metrics', '/readyz']) {
    assert.equal((await post(direct, path, undefined)).status, 404, `${path} on the webhook port`)
  }
  // From another container on the compose network (the worker's image has node).
  const probe =
    "Promise.all(['/readyz','/metrics'].map(p=>fetch('http://api:3100'+p).then(r=>r.status)))" +
    '.then(s=>console.log(s.join(" ")),e=>{console.error(String(e));process.exit(1)})'
  const statuses = await until('the ops listener answers', 30_000, async () => {
    const out = (await stack.exec('worker', ['node', '-e', probe])).trim()
    return out === '200 200' ? out : undefined
  })
  const { NetworkSettings } = await stack.inspect('api')
  const published = Object.entries(NetworkSettings.Ports)
    .filter(([, bindings]) => bindings && bindings.length > 0)
    .map(([port]) => port)
  assert.deepEqual(published, ['3000/tcp'], `api publishes ${published.join(', ')}`)
  step(
    `API: /metrics and /readyz 404 on the published port :${stack.ports.api}; api:3100 answers ${statuses} inside the network; only 3000/tcp published`,
  )
}

function connectable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => (socket.destroy(), resolve(false)))
  })
}

async function assertLoopbackOnly(stack: ComposeStack): Promise<void> {
  for (const service of ['temporal', 'temporal-ui', 'api']) {
    const { NetworkSettings } = await stack.inspect(service)
    const bindings = Object.values(NetworkSettings.Ports).flatMap((list) => list ?? [])
    assert.ok(bindings.length > 0, `${service} publishes nothing`)
    for (const binding of bindings) {
      assert.equal(binding.HostIp, '127.0.0.1', `${service} published on ${binding.HostIp}`)
    }
  }
  const { ports } = stack
  const others = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((address) => address.family === 'IPv4' && !address.internal)
    .map((address) => address.address)
  assert.ok(others.length > 0, 'no non-loopback address to probe from')
  for (const [name, port] of [
    ['Temporal frontend', ports.temporal],
    ['Web UI', ports.temporalUi],
  ] as const) {
    assert.ok(await connectable('127.0.0.1', port), `${name} not reachable on 127.0.0.1:${port}`)
    for (const address of others) {
      assert.equal(
        await connectable(address, port),
        false,
        `${name} reachable on ${address}:${port}`,
      )
    }
  }
  step(
    `Temporal :${ports.temporal} and UI :${ports.temporalUi} answer on 127.0.0.1, refused on ${others.join(', ')}`,
  )
}

async function restartWorkerWhileDelivering(
  stack: ComposeStack,
  client: Client,
  direct: Target,
): Promise<void> {
  const before = (await stack.inspect('worker')).State.StartedAt
  let postingId = 2000
  const next = (i: number) =>
    i % 2 === 0
      ? testEvent('posting.sent_to_publish', { posting_id: ++postingId, service_id: 7 })
      : testEvent('compose.test.in_flight', { n: i })
  const deliveries: Promise<void>[] = []
  for (let i = 0; i < 10; i++) deliveries.push(deliverNew(direct, stack.secret, next(i)))
  await Promise.all(deliveries)
  const restart = stack.compose(['restart', '--timeout', '30', 'worker'])
  let restarting = true
  restart.then(
    () => (restarting = false),
    () => (restarting = false),
  )
  let i = 10
  let mostRunning = 0
  while (restarting) {
    await Promise.all([0, 1, 2].map(() => deliverNew(direct, stack.secret, next(i++))))
    const inFlight = await client.workflow.count('ExecutionStatus = "Running"')
    const running = inFlight.count
    mostRunning = Math.max(mostRunning, running)
    await sleep(200)
  }
  await restart
  for (let j = 0; j < 6; j++) await deliverNew(direct, stack.secret, next(i++))
  const after = (await stack.inspect('worker')).State.StartedAt
  assert.notEqual(after, before, 'the worker container did not restart')
  assert.ok(mostRunning > 0, 'no run was in flight while the worker restarted')
  step(
    `worker restarted; ${i} events delivered around it, up to ${mostRunning} runs in flight meanwhile`,
  )
  await waitHealthy(stack, ['worker'])
}

/** The HOOKS_MODULE mounted in the worker (test/compose/hooks/handlers.cjs) ran its handler. */
async function assertHooksModuleHandled(client: Client, event: TestEvent): Promise<void> {
  const result = await until('the HOOKS_MODULE handler ran', 60_000, async () => {
    const handle = client.workflow.getHandle(event.id)
    if ((await handle.describe()).status.name !== 'COMPLETED') return undefined
    return (await handle.result()) as { handler?: { activity: string; result: unknown } }
  })
  assert.deepEqual(result.handler, {
    activity: 'handle:compose.test.direct',
    result: { through: 'loopback', package: '/app/dist/src/lib/worker.js' },
  })
  step("HOOKS_MODULE mounted in /app/hooks: its handler ran with the image's own package")
}

async function caddyTarget(stack: ComposeStack): Promise<Target> {
  const ca = await until('Caddy local CA root', 60_000, async () => {
    const pem = await stack.exec('caddy', ['cat', '/data/caddy/pki/authorities/local/root.crt'])
    return pem.includes('BEGIN CERTIFICATE') ? pem : undefined
  })
  return { kind: 'https', port: stack.ports.https, hostname: 'localhost', ca }
}

async function scenario(stack: ComposeStack): Promise<void> {
  step(
    `build (the project's Dockerfile, base scompler-compose-test/node:${stack.nodeVersion}-bookworm)`,
  )
  const buildStarted = Date.now()
  await stack.compose(['build'])
  const { stdout } = await run('docker', [
    'image',
    'inspect',
    APP_IMAGE,
    '--format',
    '{{.Size}} {{.Config.User}}',
  ])
  const [size, user] = stdout.trim().split(' ')
  assert.equal(user, 'node', 'the image does not run as the non-root user node')
  step(
    `built ${APP_IMAGE} in ${seconds(buildStarted)} s: ${(Number(size) / 1e6).toFixed(0)} MB, user ${user}`,
  )

  // The token key is required: without its file, compose refuses to create the worker.
  await assert.rejects(
    stack.compose(['up', '--no-start', '--no-deps', 'worker'], {
      COMPOSE_TEST_TOKEN_KEY_FILE: '/nonexistent/token_encryption_key',
    }),
    /bind source path does not exist: \/nonexistent\/token_encryption_key/,
  )
  step('without the token key file, compose refuses to create the worker')

  step('docker-compose up -d')
  await stack.compose(['up', '-d'])
  await waitHealthy(stack, ['postgres', 'temporal', 'api', 'worker'])
  await assertCompletedOneJobs(stack)
  step(
    'postgres, temporal, api, worker healthy; temporal-schema, temporal-namespace, setup exited 0',
  )

  const added = await stack.exec('worker', [
    'node',
    'bin/scompler-webhooks.js',
    'installations',
    'add',
    '--account-id',
    '42',
    '--json',
  ])
  const installationId = (JSON.parse(added) as { installationId: string }).installationId
  step(`installation ${installationId} added for account 42 (CLI in the worker container)`)
  await assertTokenEncrypted(stack, installationId)
  await assertDatabaseUrlOnlyForWorker(stack)
  await assertLeastPrivilegeRoles(stack)
  await assertOpsListener(stack)

  const connection = await Connection.connect({ address: `127.0.0.1:${stack.ports.temporal}` })
  const client = new Client({ connection })
  try {
    const https = await caddyTarget(stack)
    const direct: Target = { kind: 'direct', port: stack.ports.api }

    const viaCaddy = [
      testEvent('posting.sent_to_publish', { posting_id: 1001, service_id: 7 }),
      testEvent('compose.test.via_caddy', { through: 'https' }),
    ]
    for (const event of viaCaddy) await deliverNew(https, stack.secret, event)
    const duplicate: Answer = await deliver(https, stack.secret, viaCaddy[0]!)
    assert.equal(duplicate.body.status, 'duplicate', JSON.stringify(duplicate.body))
    const forged = await deliver(
      https,
      stack.secret,
      testEvent('compose.test.forged', {}),
      'a'.repeat(64),
    )
    assert.equal(forged.status, 401)
    assert.equal(forged.body.error, 'invalid_signature')
    assert.equal((await post(https, '/metrics', undefined)).status, 404)
    step(
      `HTTPS through Caddy (local CA, SNI localhost, :${https.port}): 2 accepted, duplicate, forged 401, /metrics 404`,
    )

    const handled = testEvent('compose.test.direct', { through: 'loopback' })
    for (const event of [
      testEvent('posting.sent_to_publish', { posting_id: 1002, service_id: 7 }),
      handled,
    ]) {
      await deliverNew(direct, stack.secret, event)
    }
    step(`directly to the API (127.0.0.1:${direct.port}): 2 accepted`)
    await assertHooksModuleHandled(client, handled)

    await restartWorkerWhileDelivering(stack, client, direct)

    await assertAllCompleted(client)
    step(
      `${delivered.size} events: each exactly one run, the delivered one, completed with outcome "completed"`,
    )

    // Last, so that no posting above meets an uninstalled account.
    const uninstall = testEvent('app.uninstalled', {
      installation_id: installationId,
      delete_related_data: true,
    })
    await deliverNew(https, stack.secret, uninstall)
    await assertAllCompleted(client)
    const { details } = (await client.workflow.getHandle(uninstall.id).result()) as {
      details?: { tokensRemoved?: number }
    }
    assert.equal(details?.tokensRemoved, 1, JSON.stringify(details))
    step("app.uninstalled through Caddy: completed, the installation's token removed")

    const ui = await fetch(`http://127.0.0.1:${stack.ports.temporalUi}/`)
    assert.equal(ui.status, 200)
    assert.match(await ui.text(), /<html/i)
    await assertLoopbackOnly(stack)
  } finally {
    await connection.close()
  }
}

async function main(): Promise<void> {
  const stack = await ComposeStack.create()
  const { ports } = stack
  step(
    `project ${stack.project}: API 127.0.0.1:${ports.api}, HTTPS 127.0.0.1:${ports.https}, ` +
      `Temporal 127.0.0.1:${ports.temporal}, UI 127.0.0.1:${ports.temporalUi}`,
  )
  let failure: unknown
  // Interrupted (Ctrl-C, CI timeout): still take the stack down.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      step(`${signal}: docker-compose down -v`)
      void stack.down().finally(() => process.exit(130))
    })
  }
  try {
    await scenario(stack)
  } catch (error) {
    failure = error
    const logs = await stack.compose(['logs', '--no-color', '--tail', '20']).catch(() => undefined)
    if (logs) console.error(logs.stdout)
  } finally {
    step('docker-compose down -v')
    await stack.down().catch((error: unknown) => {
      console.error(`down failed: ${String(error)}`)
      failure ??= error
    })
  }
  if (failure) {
    console.error(
      `compose test FAILED after ${seconds()} s: ${failure instanceof Error ? failure.stack : JSON.stringify(failure)}`,
    )
    process.exitCode = 1
    return
  }
  console.log(
    `compose test passed: ${delivered.size} events, each exactly one completed run, in ${seconds()} s`,
  )
}

void main()
