// `npm run bench`: ours against the limits it runs into, side by side in one run. See
// bench/README.md. Prints progress, then a table; writes bench/results/{results.json,results.md,chart.svg}.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { findTemporalCli } from '../src/temporal/dev-server'
import { renderChart } from './chart'
import { runDirectStarts } from './direct-starts'
import { runEndToEnd, waitForNoRunningWorkflows, type EndToEndResult } from './end-to-end'
import { forgedDelivery, signedDeliveries, type Delivery } from './events'
import { runHttpLoad } from './http-load'
import { measure, pidsOf, sampleMemory, type Measurement } from './measure'
import { memoryMb, ROOT } from './processes'
import { renderMarkdown, summarize, type BenchResults } from './report'
import { PRODUCTION_NODE_OPTIONS } from './node-options'
import { startStack, TASK_QUEUE, type Stack } from './stack'
import { round } from './stats'

const { values: args, tokens } = parseArgs({
  tokens: true,
  options: {
    seconds: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,16,64' },
    rates: { type: 'string', default: '5,10,20,40,80,160,320' },
    'e2e-seconds': { type: 'string', default: '8' },
    /** bench/results for the reference run (no setting changed), else a temporary folder. */
    out: { type: 'string' },
    profile: { type: 'string' },
    /** Node flags for the API and the worker, as production would set them in NODE_OPTIONS. */
    'api-node-options': { type: 'string', default: PRODUCTION_NODE_OPTIONS.api },
    'worker-node-options': { type: 'string', default: PRODUCTION_NODE_OPTIONS.worker },
    note: { type: 'string', default: '' },
    /** A subset of accepted,rejected,duplicate,end-to-end (duplicate needs accepted). */
    paths: { type: 'string', default: 'accepted,rejected,duplicate,end-to-end' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
})
const SECONDS = Number(args.seconds)
const RUNS = Number(args.runs)
const CONCURRENCY = args.concurrency.split(',').map(Number)
const RATES = args.rates.split(',').map(Number)
const ALL_PATHS = ['accepted', 'rejected', 'duplicate', 'end-to-end']
const PATHS = new Set(args.paths.split(','))
const unknownPaths = [...PATHS].filter((name) => !ALL_PATHS.includes(name))
if (unknownPaths.length > 0) usage(`unknown --paths ${unknownPaths.join(',')}`)
if (PATHS.has('duplicate') && !PATHS.has('accepted')) {
  usage('--paths duplicate needs accepted: it redelivers the events the accepted path delivered')
}
/** Options that change what is measured: a run with any of them is not the committed reference. */
const SHAPING = new Set([
  'seconds',
  'runs',
  'concurrency',
  'rates',
  'e2e-seconds',
  'paths',
  'profile',
  'api-node-options',
  'worker-node-options',
])
const isReference = !tokens.some((token) => token.kind === 'option' && SHAPING.has(token.name))
const OUT =
  args.out ??
  (isReference
    ? path.join(ROOT, 'bench/results')
    : path.join(os.tmpdir(), 'scompler-bench-results'))
const DRAIN_TIMEOUT_MS = 180_000
const WARM_UP_SECONDS = 2
/** Distinct deliveries signed ahead of each run: more than any run here can send. */
const POOL_PER_SECOND = 3000

// The load generator and the direct starts run here, under tsx: without this, every error's stack
// (each duplicate start's) would be rewritten through source maps, a cost the API does not pay.
process.setSourceMapsEnabled(false)

const benchStarted = Date.now()
let stopping: (() => Promise<void>) | undefined
const log = (line: string) => {
  const elapsed = ((Date.now() - benchStarted) / 1000).toFixed(0).padStart(4)
  process.stdout.write(`[${elapsed}s] ${line}\n`)
}

async function main() {
  const machine = describeMachine()
  const stack = await startStack({
    log,
    profileDir: args.profile,
    nodeFlags: {
      api: args['api-node-options'].split(' ').filter(Boolean),
      worker: args['worker-node-options'].split(' ').filter(Boolean),
    },
    cliPath: process.env.TEMPORAL_CLI_PATH,
    adminUrl: args.database,
  })
  stopping = stack.stop
  const idleRssMb = rssNow(pidsOf(stack))
  const memory = sampleMemory(pidsOf(stack))
  try {
    const measurements: Measurement[] = []
    const record = (m: Measurement) => {
      measurements.push(m)
      const extra = m.serverCpuMsPerRequest ? `, ${m.serverCpuMsPerRequest} ms CPU/req` : ''
      log(
        `  ${m.scenario} ${m.target} c${m.concurrency} run ${m.run}: ${m.throughput} req/s, ` +
          `p50 ${m.p50} ms, p99 ${m.p99} ms${extra}${m.unexpected ? `, ${m.unexpected} UNEXPECTED` : ''}`,
      )
    }
    const accepted = PATHS.has('accepted') ? await acceptedPath(stack, record) : []
    if (PATHS.has('rejected')) await rejectionPath(stack, record)
    if (PATHS.has('duplicate')) await duplicatePath(stack, accepted, record)
    const endToEnd = PATHS.has('end-to-end') ? await endToEndPath(stack) : []
    const results: BenchResults = {
      machine: { ...machine, loadAverageAfter: os.loadavg().map((l) => Number(l.toFixed(2))) },
      settings: {
        seconds: SECONDS,
        runs: RUNS,
        concurrency: CONCURRENCY,
        rates: RATES,
        nodeOptions: { api: args['api-node-options'], worker: args['worker-node-options'] },
      },
      summary: summarize(measurements),
      endToEnd,
      idleRssMb,
      peakRssMb: memory.stop(),
      measurements,
    }
    writeResults(results)
  } finally {
    memory.stop()
    log('stopping')
    await stack.stop()
  }
}

type Side = (concurrency: number, run: number, seconds: number) => Promise<Measurement>

/**
 * Ours against its baseline: both warmed up first (unrecorded: a cold JIT, in the servers or in
 * the load generator, cost a factor of five here), then every concurrency, run after run, with
 * the side that goes first alternating.
 */
async function compare(name: string, sides: [Side, Side], record: (m: Measurement) => void) {
  log(`${name}: warming up (not recorded)`)
  for (const side of sides) await side(Math.max(...CONCURRENCY), 0, WARM_UP_SECONDS)
  for (let run = 1; run <= RUNS; run++) {
    for (const concurrency of CONCURRENCY) {
      log(`${name}, c${concurrency}, run ${run}/${RUNS}`)
      const order = run % 2 ? sides : [...sides].reverse()
      for (const side of order) record(await side(concurrency, run, SECONDS))
    }
  }
}

/** Distinct new events; the worker drains each run's backlog before the next run starts. */
async function acceptedPath(stack: Stack, record: (m: Measurement) => void) {
  const pids = pidsOf(stack)
  const accepted: Delivery[] = []
  const drained = async (m: Measurement) => {
    const seconds = await waitForNoRunningWorkflows(stack.client, DRAIN_TIMEOUT_MS)
    if (m.run > 0) log(`  worker drained the backlog in ${seconds.toFixed(1)} s`)
    return m
  }
  const ours: Side = async (concurrency, run, seconds) => {
    const pool = signedDeliveries(seconds * POOL_PER_SECOND)
    const labels = { scenario: 'accepted', target: 'ours', concurrency, run } as const
    const m = await measure(pids, labels, () =>
      runHttpLoad({ ...httpLoad(stack.api.url, concurrency, pool, '"accepted"'), seconds }),
    )
    // The last request of each connection may have been cut off mid-flight: not a sure run.
    accepted.push(...pool.slice(0, m.requests - concurrency))
    return drained(m)
  }
  const direct: Side = async (concurrency, run, seconds) => {
    const pool = signedDeliveries(seconds * POOL_PER_SECOND)
    const labels = { scenario: 'accepted', target: 'direct', concurrency, run } as const
    const load = { ...directLoad(stack, concurrency, pool), seconds }
    return drained(await measure(pids, labels, () => runDirectStarts(load)))
  }
  await compare('accepted path', [ours, direct], record)
  return accepted
}

/** Well-formed bodies signed with another secret, against the bare Koa app. */
async function rejectionPath(stack: Stack, record: (m: Measurement) => void) {
  const pids = pidsOf(stack)
  const forged = Array.from({ length: 1000 }, forgedDelivery)
  const side =
    (target: 'ours' | 'bare-koa', url: string, expectStatus: number): Side =>
    (concurrency, run, seconds) =>
      measure(pids, { scenario: 'rejected', target, concurrency, run }, () =>
        runHttpLoad({ ...httpLoad(url, concurrency, forged), seconds, expectStatus }),
      )
  await compare(
    'rejection path',
    [side('ours', stack.api.url, 401), side('bare-koa', stack.bareKoa.url, 200)],
    record,
  )
}

/** Redeliveries of events whose runs completed, against starting them again directly. */
async function duplicatePath(
  stack: Stack,
  delivered: Delivery[],
  record: (m: Measurement) => void,
) {
  const pids = pidsOf(stack)
  const ours: Side = (concurrency, run, seconds) =>
    measure(pids, { scenario: 'duplicate', target: 'ours', concurrency, run }, () =>
      runHttpLoad({ ...httpLoad(stack.api.url, concurrency, delivered, '"duplicate"'), seconds }),
    )
  const direct: Side = (concurrency, run, seconds) =>
    measure(pids, { scenario: 'duplicate', target: 'direct', concurrency, run }, () =>
      runDirectStarts({ ...directLoad(stack, concurrency, delivered), seconds, duplicates: true }),
    )
  await compare('duplicate path', [ours, direct], record)
}

/** Rates step up until completions stop keeping up with arrivals. */
async function endToEndPath(stack: Stack): Promise<EndToEndResult[]> {
  const results: EndToEndResult[] = []
  for (const rate of RATES) {
    log(`end to end at ${rate}/s for ${args['e2e-seconds']} s`)
    const result = await runEndToEnd(stack.client, stack.api.url, rate, Number(args['e2e-seconds']))
    log(
      `  p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, ` +
        `${result.completedPerSecond.toFixed(0)} completions/s, wait grew ${result.waitGrowthMs.toFixed(0)} ms: ` +
        (result.keepsUp ? 'keeps up' : 'falls behind'),
    )
    results.push(result)
    await waitForNoRunningWorkflows(stack.client, DRAIN_TIMEOUT_MS)
    if (!result.keepsUp) break
  }
  return results
}

function httpLoad(url: string, connections: number, pool: Delivery[], expectBody?: string) {
  return {
    url,
    connections,
    seconds: SECONDS,
    pool,
    cycle: expectBody !== '"accepted"',
    expectStatus: 200,
    expectBody,
  }
}

function directLoad(stack: Stack, concurrency: number, pool: Delivery[]) {
  return { client: stack.client, taskQueue: TASK_QUEUE, concurrency, seconds: SECONDS, pool }
}

function rssNow(pids: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, round(memoryMb(pid).rss)]),
  )
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message} (paths: ${ALL_PATHS.join(',')})\n`)
  process.exit(2)
}

function describeMachine() {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH, process.env)
  return {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    temporalCli: execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim(),
    loadAverageBefore: os.loadavg().map((l) => Number(l.toFixed(2))),
    note: args.note,
  }
}

function writeResults(results: BenchResults) {
  mkdirSync(OUT, { recursive: true })
  const markdown = renderMarkdown(results)
  writeFileSync(path.join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(path.join(OUT, 'results.md'), markdown)
  writeFileSync(path.join(OUT, 'chart.svg'), renderChart(results.summary))
  process.stdout.write(`\n${markdown}\nwritten to ${path.relative(process.cwd(), OUT)}/\n`)
}

// Ctrl-C stops the stack (servers, processes, database) instead of leaving it behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`)
    void (stopping?.() ?? Promise.resolve()).finally(() => process.exit(130))
  })
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
