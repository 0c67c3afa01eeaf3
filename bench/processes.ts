// Child processes of the bench: the real entry points, compiled as the production image runs them
// (`node dist/src/api.js`): no tsx loader, no source-map stack rewriting, no compiler in memory.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { openSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { DefaultLogger } from '@temporalio/worker'
import { completeBuild } from '../scripts/build-dist'

export const ROOT = path.resolve(__dirname, '..')
/** tsconfig.bench.json: the production build (tsconfig.build.json) plus bench/bare-koa.ts. */
export const BUILD_DIR = path.join(ROOT, 'bench/.build')

/**
 * `npm run build` into BUILD_DIR, plus the bare Koa app: compiled code, migrations and the
 * prebuilt workflow bundle, whose path it returns.
 */
export async function buildForBench(): Promise<string> {
  rmSync(BUILD_DIR, { recursive: true, force: true })
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc')
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: ROOT })
  return completeBuild(BUILD_DIR, new DefaultLogger('ERROR'))
}

export interface BenchProcess {
  name: string
  child: ChildProcess
  pid: number
  stop: () => Promise<void>
}

export function spawnEntryPoint(
  name: string,
  entry: string,
  env: Record<string, string>,
  logFile: string,
  nodeFlags: string[] = [],
): BenchProcess {
  const log = openSync(logFile, 'a')
  const compiled = path.join(BUILD_DIR, entry.replace(/\.ts$/, '.js'))
  const child = spawn(process.execPath, [...nodeFlags, compiled], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', log, log],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.once('exit', () => child.kill('SIGKILL'))
  return {
    name,
    child,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Polls `url` until it answers 200, or fails with the tail of the log. */
export async function waitUntilReady(url: string, proc: BenchProcess, logFile: string) {
  const deadline = Date.now() + 120_000
  for (;;) {
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    )
    if (ok) return
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      const tail = readFileSync(logFile, 'utf8').slice(-2000)
      throw new Error(`${proc.name} did not become ready at ${url}:\n${tail}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const CLOCK_TICKS_PER_SECOND = 100

/** User + system CPU seconds used so far by `pid` (its threads included). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}

/** Resident set size now (VmRSS) and at its peak so far (VmHWM), in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}
