// The flood scenario: the API's memory and a genuine delivery's latency while many slow, unsigned
// ~1 MiB uploads are in flight. Not part of `npm run bench`; run it on its own:
//
//   node --import tsx bench/flood.ts [--uploads 200] [--genuine 100] [--runs 3] [--api-root DIR]
//
// Each run starts the API (`node --import tsx src/api.ts` under --api-root, default this tree, with
// the heap cap docker-compose.yml gives it) against a Temporal dev server, then:
//   1. idle: `--genuine` signed deliveries one after another (latency), and the API's RSS;
//   2. flood: `--uploads` connections (from a process of their own) each declare a 1 MiB body with
//      a well-formed but wrong signature, send 64 KiB every 100 ms up to all but the last byte,
//      and stall until the API answers or cuts them off; each is replaced --reconnect-ms (1000)
//      later, so a refused upload comes back much sooner than a held one is cut off. After a
//      2.5 s ramp, the same genuine deliveries again, while the API's RSS is sampled every 100 ms.
// It prints each run's figures and their medians over the runs (the machine is shared: read the
// medians). `--api-root` points at another checkout (with node_modules) to measure it the same way.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Connection } from '@temporalio/client'
import { signPayload } from '../src/http/signature'
import { freePort } from '../src/shared/listen'
import { startDevServer } from '../src/temporal/dev-server'
import { setupNamespace } from '../src/temporal/namespace'
import { cpuSeconds, memoryMb } from './processes'
import { median, percentile, round } from './stats'

const HOST = '127.0.0.1'
const SECRET = 'flood-bench-secret'
const UPLOAD_BYTES = 1024 * 1024
const FAKE_SIGNATURE = 'ab'.repeat(32)

const { values: options } = parseArgs({
  options: {
    uploads: { type: 'string', default: '200' },
    genuine: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    'api-root': { type: 'string', default: path.resolve(__dirname, '..') },
    'api-node-options': { type: 'string', default: '--max-old-space-size=128' },
    'reconnect-ms': { type: 'string', default: '1000' },
    'flood-port': { type: 'string' },
  },
})
const UPLOADS = Number(options.uploads)
const GENUINE = Number(options.genuine)
const RUNS = Number(options.runs)
const API_ROOT = path.resolve(options['api-root'])
const RECONNECT_MS = Number(options['reconnect-ms'])

interface RunResult {
  idleRssMb: number
  floodPeakRssMb: number
  floodMedianRssMb: number
  idleMedianMs: number
  idleP99Ms: number
  floodMedianMs: number
  floodP99Ms: number
  /** The API's CPU time over the flood phase's wall time (1 = one core). */
  floodApiCores: number
  genuineStatuses: Record<string, number>
  uploadAnswers: Record<string, number>
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scompler-flood-'))
  const temporal = await startDevServer({
    env: process.env,
    cliPath: process.env.TEMPORAL_CLI_PATH,
    namespace: 'default',
    port: await freePort(HOST),
    logFile: path.join(dir, 'temporal.log'),
  })
  try {
    const connection = await Connection.connect({ address: temporal.address })
    await setupNamespace(connection, 'default', 72 * 3600_000)
    await connection.close()
    log(`API from ${API_ROOT}; ${UPLOADS} slow 1 MiB uploads; ${GENUINE} genuine deliveries`)
    const results: RunResult[] = []
    for (let run = 1; run <= RUNS; run++) {
      const result = await oneRun(temporal.address, dir, run)
      log(`run ${run}: ${JSON.stringify(result)}`)
      results.push(result)
    }
    const med = (key: keyof RunResult) => round(median(results.map((r) => r[key] as number)))
    const summary = {
      apiRoot: API_ROOT,
      uploads: UPLOADS,
      runs: RUNS,
      loadAverage: os.loadavg().map((value) => round(value)),
      idleRssMb: med('idleRssMb'),
      floodPeakRssMb: med('floodPeakRssMb'),
      floodMedianRssMb: med('floodMedianRssMb'),
      idleLatencyMs: { median: med('idleMedianMs'), p99: med('idleP99Ms') },
      floodLatencyMs: { median: med('floodMedianMs'), p99: med('floodP99Ms') },
      floodApiCores: round(median(results.map((r) => r.floodApiCores)), 2),
      reconnectMs: RECONNECT_MS,
      genuineStatuses: results.map((r) => r.genuineStatuses),
      uploadAnswers: results.map((r) => r.uploadAnswers),
    }
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  } finally {
    await temporal.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function oneRun(temporalAddress: string, dir: string, run: number): Promise<RunResult> {
  const port = await freePort(HOST)
  const logFile = path.join(dir, `api-${run}.log`)
  const out = openSync(logFile, 'a')
  const child = spawn(
    process.execPath,
    [...options['api-node-options'].split(' ').filter(Boolean), '--import', 'tsx', 'src/api.ts'],
    {
      cwd: API_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SCOMPLER_APP_SECRET: SECRET,
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_TASK_QUEUE: 'flood-bench',
        HOST,
        PORT: String(port),
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', out, out],
    },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await waitReady(`http://${HOST}:${port}/readyz`, logFile)
    const pid = child.pid!
    await genuineLatencies(port, 20) // warm-up
    const idle = await genuineLatencies(port, GENUINE)
    const idleRssMb = memoryMb(pid).rss

    const flood = await startFlood(port)
    const cpuBefore = cpuSeconds(pid)
    const wallBefore = Date.now()
    const samples: number[] = []
    const sampler = setInterval(() => samples.push(memoryMb(pid).rss), 100)
    await sleep(2500)
    const during = await genuineLatencies(port, GENUINE)
    clearInterval(sampler)
    const floodApiCores = (cpuSeconds(pid) - cpuBefore) / ((Date.now() - wallBefore) / 1000)
    const uploadAnswers = await flood.stop()
    await sleep(500)
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b)
    return {
      idleRssMb: round(idleRssMb),
      floodPeakRssMb: round(Math.max(...samples)),
      floodMedianRssMb: round(median(samples)),
      idleMedianMs: round(median(idle.latencies)),
      idleP99Ms: round(percentile(sorted(idle.latencies), 99)),
      floodMedianMs: round(median(during.latencies)),
      floodP99Ms: round(percentile(sorted(during.latencies), 99)),
      floodApiCores: round(floodApiCores, 2),
      genuineStatuses: during.statuses,
      uploadAnswers,
    }
  } finally {
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** Signed deliveries one after another, each on a fresh connection as a webhook sender does. */
async function genuineLatencies(
  port: number,
  count: number,
): Promise<{ latencies: number[]; statuses: Record<string, number> }> {
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({
      id: randomUUID(),
      event: 'app.uninstalled',
      account_id: String(1_000_000 + i),
      data: { delete_related_data: false, installation_id: randomUUID() },
      occurred_at: new Date().toISOString(),
    })
    const started = process.hrtime.bigint()
    const status = await post(port, body, signPayload(SECRET, body))
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6)
    statuses[status] = (statuses[status] ?? 0) + 1
  }
  return { latencies, statuses }
}

function post(port: number, body: string, signature: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: HOST,
        port,
        method: 'POST',
        path: '/webhooks/scompler',
        agent: false,
        timeout: 30_000,
        headers: { 'Content-Type': 'application/json', 'X-Signature': signature },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(String(res.statusCode)))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (error) => resolve(`error:${(error as NodeJS.ErrnoException).code ?? 'x'}`))
    req.end(body)
  })
}

/**
 * The flood runs in a process of its own (this script with --flood-port), so that writing it does
 * not delay the genuine deliveries measured here. It prints its answer counts when told to stop.
 */
async function startFlood(port: number): Promise<{ stop: () => Promise<Record<string, number>> }> {
  const child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', __filename, '--flood-port', String(port)],
      ...['--uploads', String(UPLOADS), '--reconnect-ms', String(RECONNECT_MS)],
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  let output = ''
  let ready: () => void = () => undefined
  const started = new Promise<void>((resolve) => (ready = resolve))
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString()
    if (output.includes('\n')) ready()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await Promise.race([started, exited])
  return {
    async stop() {
      child.stdin.end('stop\n')
      await exited
      return JSON.parse(output.split('\n')[1] || '{}') as Record<string, number>
    },
  }
}

/**
 * `UPLOADS` connections, each a slow upload: headers declaring 1 MiB with a well-formed but wrong
 * signature, then 64 KiB every 100 ms up to all but the last byte, then silence. Once the API
 * answers or cuts it off, the connection is replaced RECONNECT_MS later.
 */
function runFlood(port: number): void {
  const answers: Record<string, number> = {}
  const sockets = new Set<Socket>()
  let stopped = false
  const chunk = Buffer.alloc(64 * 1024, 'x')
  const open = () => {
    if (stopped) return
    const socket = connect(port, HOST)
    sockets.add(socket)
    let received = ''
    let sent = 0
    let timer: NodeJS.Timeout | undefined
    const writeMore = () => {
      const size = Math.min(chunk.length, UPLOAD_BYTES - 1 - sent)
      if (size <= 0 || received) return
      socket.write(chunk.subarray(0, size))
      sent += size
      timer = setTimeout(writeMore, 100)
    }
    socket.on('connect', () => {
      socket.write(
        `POST /webhooks/scompler HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\n` +
          `X-Signature: ${FAKE_SIGNATURE}\r\nContent-Length: ${UPLOAD_BYTES}\r\n\r\n`,
      )
      writeMore()
    })
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1').slice(0, 64)
      socket.destroy()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      sockets.delete(socket)
      if (stopped) return
      const answer = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 'closed'
      answers[answer] = (answers[answer] ?? 0) + 1
      setTimeout(open, RECONNECT_MS)
    })
  }
  for (let i = 0; i < UPLOADS; i++) open()
  process.stdout.write('flooding\n')
  process.stdin.on('end', () => process.exit(0))
  process.stdin.on('data', () => {
    stopped = true
    for (const socket of sockets) socket.destroy()
    process.stdout.write(JSON.stringify(answers))
    process.exit(0)
  })
}

async function waitReady(url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000
  for (;;) {
    if (
      await fetch(url).then(
        (res) => res.ok,
        () => false,
      )
    )
      return
    if (Date.now() > deadline) {
      throw new Error(`API not ready at ${url}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`)
    }
    await sleep(250)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (line: string) => process.stderr.write(`${line}\n`)

if (options['flood-port']) runFlood(Number(options['flood-port']))
else
  void main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  })
