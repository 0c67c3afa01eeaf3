// Everything the bench measures, on loopback, each in its own process: a Temporal dev server
// (SQLite file in WAL mode), a fresh PostgreSQL database, the worker, the API and the bare Koa app.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { Client as PgClient } from 'pg'
import { freePort } from '../src/shared/listen'
import { startDevServer, type DevServer } from '../src/temporal/dev-server'
import { setupNamespace } from '../src/temporal/namespace'
import { BENCH_SECRET } from './events'
import { buildForBench, spawnEntryPoint, waitUntilReady, type BenchProcess } from './processes'

const HOST = '127.0.0.1'
export const NAMESPACE = 'default'
export const TASK_QUEUE = 'scompler-webhooks-bench'

export interface Stack {
  dir: string
  temporal: DevServer
  client: Client
  api: BenchProcess & { url: string }
  worker: BenchProcess
  bareKoa: BenchProcess & { url: string }
  stop: () => Promise<void>
}

export interface StackOptions {
  log: (line: string) => void
  /** Writes V8 CPU profiles of the API, worker and bare Koa app (node --cpu-prof). */
  profileDir?: string
  /** Extra node flags by process name (`api`, `worker`), e.g. `--max-old-space-size=128`. */
  nodeFlags?: Record<string, string[]>
  cliPath?: string
  /** An administrative URL of the PostgreSQL server to create the bench database on. */
  adminUrl: string
}

export async function startStack({
  log,
  profileDir,
  nodeFlags = {},
  cliPath,
  adminUrl,
}: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scompler-bench-'))
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true })]
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  }
  try {
    log('starting Temporal dev server (SQLite, WAL), compiling and bundling workflows')
    const [temporal, bundlePath] = await Promise.all([
      startDevServer({
        env: process.env,
        cliPath,
        namespace: NAMESPACE,
        dbFile: path.join(dir, 'temporal.sqlite'),
        logFile: path.join(dir, 'temporal.log'),
      }),
      buildForBench(),
    ])
    cleanups.push(() => temporal.stop())
    const connection = await Connection.connect({ address: temporal.address })
    cleanups.push(() => connection.close())
    await setupNamespace(connection, NAMESPACE, 72 * 3600_000)
    const client = new Client({ connection, namespace: NAMESPACE })

    const database = await createDatabase(adminUrl)
    cleanups.push(database.drop)
    const env = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      HOST,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    }
    const flags = (name: string) => [
      ...(nodeFlags[name] ?? []),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : []),
    ]

    log('starting the worker, the API and the bare Koa app')
    const workerHealth = await freePort(HOST)
    const workerLog = path.join(dir, 'worker.log')
    const worker = spawnEntryPoint(
      'worker',
      'src/worker.ts',
      {
        ...env,
        DATABASE_URL: database.url,
        WORKER_HEALTH_PORT: String(workerHealth),
        WORKFLOW_BUNDLE_PATH: bundlePath,
      },
      workerLog,
      flags('worker'),
    )
    cleanups.push(() => worker.stop())
    const api = await startHttp('api', 'src/api.ts', { ...env, SCOMPLER_APP_SECRET: BENCH_SECRET })
    const bareKoa = await startHttp('bare-koa', 'bench/bare-koa.ts', env)
    await waitUntilReady(`http://${HOST}:${workerHealth}/readyz`, worker, workerLog)
    return { dir, temporal, client, api, worker, bareKoa, stop }

    async function startHttp(name: string, entry: string, extra: Record<string, string>) {
      const port = await freePort(HOST)
      const logFile = path.join(dir, `${name}.log`)
      const proc = spawnEntryPoint(
        name,
        entry,
        { ...extra, PORT: String(port) },
        logFile,
        flags(name),
      )
      cleanups.push(() => proc.stop())
      const url = `http://${HOST}:${port}`
      await waitUntilReady(`${url}${name === 'api' ? '/readyz' : '/'}`, proc, logFile)
      return { ...proc, url }
    }
  } catch (error) {
    await stop()
    throw error
  }
}

async function admin(adminUrl: string, sql: string): Promise<void> {
  const client = new PgClient({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** A database of its own on the local PostgreSQL, dropped at the end; the worker migrates it. */
async function createDatabase(
  adminUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `scompler_bench_${randomBytes(6).toString('hex')}`
  await admin(adminUrl, `CREATE DATABASE ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}
