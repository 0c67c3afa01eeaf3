// One measured run: the load, plus the CPU each process spent on it.
import type { Stack } from './stack'
import { cpuSeconds, memoryMb } from './processes'
import type { LoadResult } from './http-load'
import { round } from './stats'

export type Scenario = 'accepted' | 'rejected' | 'duplicate'
export type Target = 'ours' | 'direct' | 'bare-koa'

export interface Measurement extends LoadResult {
  scenario: Scenario
  target: Target
  concurrency: number
  run: number
  /** CPU ms per request of the process serving it (the API, or the bare Koa app). */
  serverCpuMsPerRequest?: number
  /** Cores busy during the run, by process. */
  cores: Record<string, number>
  /** Peak resident set during the run (MB), by process. */
  peakRssMb: Record<string, number>
}

type Pids = Record<string, number>

export function pidsOf(stack: Stack): Pids {
  return {
    api: stack.api.pid,
    worker: stack.worker.pid,
    temporal: stack.temporal.process.pid!,
    'bare-koa': stack.bareKoa.pid,
  }
}

export async function measure(
  pids: Pids,
  labels: Omit<Measurement, keyof LoadResult | 'cores' | 'serverCpuMsPerRequest' | 'peakRssMb'>,
  load: () => Promise<LoadResult>,
): Promise<Measurement> {
  const memory = sampleMemory(pids, 100)
  const before = cpuSnapshot(pids)
  const started = performance.now()
  let result: LoadResult
  let peakRssMb: Record<string, number>
  try {
    result = await load()
  } finally {
    peakRssMb = memory.stop()
  }
  const wall = (performance.now() - started) / 1000
  const after = cpuSnapshot(pids)
  const cores = Object.fromEntries(
    Object.keys(after).map((name) => [name, round((after[name]! - before[name]!) / wall, 2)]),
  )
  const server = labels.target === 'bare-koa' ? 'bare-koa' : labels.target === 'ours' ? 'api' : ''
  const serverCpu = server ? after[server]! - before[server]! : undefined
  return {
    ...labels,
    ...result,
    throughput: round(result.throughput),
    p50: round(result.p50, 2),
    p99: round(result.p99, 2),
    seconds: round(result.seconds, 2),
    serverCpuMsPerRequest:
      serverCpu === undefined ? undefined : round((serverCpu * 1000) / result.requests, 3),
    cores,
    peakRssMb,
  }
}

function cpuSnapshot(pids: Pids): Record<string, number> {
  const usage = process.cpuUsage()
  return {
    ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
    'load generator': (usage.user + usage.system) / 1e6,
  }
}

/** Samples the resident set of each process while the bench runs; keeps the peaks (MB). */
export function sampleMemory(pids: Pids, everyMs = 200) {
  const peaks: Record<string, number> = {}
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      try {
        peaks[name] = Math.max(peaks[name] ?? 0, memoryMb(pid).rss)
      } catch {
        // The process has exited; its last sample stands.
      }
    }
  }
  const timer = setInterval(sample, everyMs)
  return {
    stop: () => {
      sample()
      clearInterval(timer)
      return Object.fromEntries(Object.entries(peaks).map(([name, mb]) => [name, round(mb)]))
    },
  }
}
