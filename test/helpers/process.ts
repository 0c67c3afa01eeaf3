import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')

export interface RunningProcess {
  child: ChildProcess
  output: () => string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Runs an entry point as `npm run …` does (node with tsx's loader: one process, so signals reach
 * it directly), with exactly the environment given; `compiled` runs built JavaScript instead.
 */
export function runEntryPoint(
  entry: string,
  env: Record<string, string | undefined>,
  compiled = false,
): RunningProcess {
  const loader = compiled ? [] : ['--import', 'tsx']
  return runCommand(process.execPath, [...loader, path.resolve(ROOT, entry)], entry, env)
}

/**
 * Runs `command` in the project folder (or `cwd`) with exactly the environment given (and PATH,
 * HOME).
 */
export function runCommand(
  command: string,
  args: string[],
  entry: string,
  env: Record<string, string | undefined>,
  cwd = ROOT,
): RunningProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return {
    child,
    output: () => output,
    exited,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const match = output.match(pattern)
        if (match) return match
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no ${pattern} in the output of ${entry}:\n${output.slice(-3000)}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
