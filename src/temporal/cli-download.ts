// The Temporal CLI from the Temporal SDK's own cached download (the one
// `TestWorkflowEnvironment.createLocal` uses), for `npm start` on a machine without the CLI.
//
// Why a child process: the SDK's core downloads the CLI and then spawns it as a dev server with
// the environment of the calling process, unfiltered (sdk-core's ephemeral_server runs
// `tokio::process::Command::new(exe)` without `env_clear`), in our process group. Asked from
// this process, it would hand the app secret, the token keys and DATABASE_URL to that server.
// So a short-lived Node process (cli-download-child.ts), started with only the filtered
// environment and in its own process group, calls the SDK's public API with our download folder,
// and exits; the binary it leaves there is then run by dev-server.ts exactly like a CLI found on
// PATH. @temporalio/testing is a devDependency and only that child loads it.
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import ms from 'ms'

/** A stalled connection would otherwise wait forever: the SDK sets no timeout of its own. */
export const CLI_DOWNLOAD_TIMEOUT_MS = 5 * 60_000

export interface CliDownloadOptions {
  /** The download cache: a folder of our own (it holds the binary and nothing else). */
  dir: string
  /** Exactly the environment of the download process (and so of the SDK's throwaway server). */
  env: Record<string, string>
  timeoutMs?: number
  /** Told before the SDK is asked (not when the cache already holds a CLI). */
  onDownload?: (download: { dir: string; timeout: string }) => void
  /** Ctrl-C: the child is in its own process group, so the terminal's signal does not reach it. */
  signal?: AbortSignal
}

/** The child's one message to us. */
export type CliDownloadAnswer = { ok: true } | { error: string }

/**
 * The CLI in `dir` if an earlier run left it there, else the SDK downloads it. Our cache is used
 * as it is: asking the SDK again on every start would start a throwaway server each time, and past
 * its one-day TTL the SDK deletes the binary before downloading again, which fails offline.
 * Delete the folder to fetch a newer CLI.
 */
export async function downloadTemporalCli(options: CliDownloadOptions): Promise<string> {
  const cached = cachedCli(options.dir)
  if (cached) return cached
  const timeoutMs = options.timeoutMs ?? CLI_DOWNLOAD_TIMEOUT_MS
  options.onDownload?.({ dir: options.dir, timeout: ms(timeoutMs, { long: true }) })
  mkdirSync(options.dir, { recursive: true })
  let failure: Error | undefined
  try {
    await runSdkDownload({ ...options, timeoutMs })
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error))
    if (options.signal?.aborted) throw failure
  }
  // The SDK downloads first, then starts its server; a server too slow for its 5-second start
  // window fails createLocal, but the binary is in place.
  const downloaded = cachedCli(options.dir)
  if (downloaded) return downloaded
  throw failure ?? new Error(`the SDK reported success but left no CLI in ${options.dir}`)
}

/** Runs the SDK's download in its own process (cli-download-child.ts) and waits for its answer. */
export async function runSdkDownload(options: CliDownloadOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? CLI_DOWNLOAD_TIMEOUT_MS
  // Under tsx (npm start, tests) the child is TypeScript too; built, it is JavaScript.
  const loader = path.extname(__filename) === '.ts' ? ['--import', 'tsx'] : []
  const script = path.join(__dirname, `cli-download-child${path.extname(__filename)}`)
  const child = spawn(process.execPath, [...loader, script, options.dir], {
    cwd: path.resolve(__dirname, '../..'),
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Its own process group, so that one signal takes down the child and the SDK's server.
    detached: true,
  })
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  process.once('exit', killGroup)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  let answer: CliDownloadAnswer | undefined
  child.on('message', (message: CliDownloadAnswer) => (answer = message))
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  let onAbort = () => {}
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted')
    if (options.signal?.aborted) onAbort()
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  // After 'exit', the IPC message and stderr may still be in flight: 'close' says they are in.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve))
  try {
    const outcome = await Promise.race([exited, timedOut, aborted, spawnFailed])
    // Whatever the child left behind (the SDK's server after a failed start) goes with it, and
    // with it any pipe that would keep 'close' from coming.
    killGroup()
    if (outcome === 'timeout' || outcome === 'aborted') {
      removePartialDownloads(options.dir)
      throw new Error(
        outcome === 'aborted'
          ? 'stopped before it finished'
          : `no download within ${ms(timeoutMs, { long: true })} (a blocked network?)`,
      )
    }
    if (outcome instanceof Error) throw new Error(`could not start Node: ${outcome.message}`)
    let grace: NodeJS.Timeout | undefined
    await Promise.race([closed, new Promise((resolve) => (grace = setTimeout(resolve, 5000)))])
    clearTimeout(grace)
    if (answer && 'ok' in answer) return
    throw new Error(
      answer
        ? shortReason(answer.error)
        : `the download process exited (${outcome}): ${lastLine(stderr)}`,
    )
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    process.off('exit', killGroup)
  }
}

/** The newest executable `temporal…` file in `dir` (the SDK names it after the SDK version). */
export function cachedCli(dir: string): string | undefined {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return undefined
  }
  return names
    .filter((name) => name.startsWith('temporal') && !name.endsWith('.downloading'))
    .map((name) => path.join(dir, name))
    .filter(isExecutableFile)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
}

/**
 * The SDK's message without its wrappers, repeats and query strings, and without credentials a
 * proxy URL might carry: one short clause for the hint.
 */
export function shortReason(message: string): string {
  const parts = message
    .replace(/\s+/g, ' ')
    .replace(/(\w+:\/\/)[^/\s@]*@/g, '$1')
    .replace(/(https?:\/\/[^\s?)]*)\?[^\s)]*/g, '$1')
    .split(': ')
    .filter((part, index, all) => part !== all[index - 1])
    .filter(
      (part) =>
        !/^(Failed to start ephemeral server|failed to download ephemeral server executable)$/i.test(
          part,
        ),
    )
  const reason = parts.join(': ')
  return reason.length > 300 ? `${reason.slice(0, 297)}...` : reason
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n')
  return shortReason(lines[lines.length - 1] ?? '')
}

function removePartialDownloads(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.downloading')) rmSync(path.join(dir, name), { force: true })
  }
}

/** An executable regular file (a directory named `temporal` on PATH is not the CLI). */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}
