import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

export interface RunningProcess {
  child: ChildProcess
  output: () => string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Runs an entry point as `npm run …` would (tsx), with exactly the environment given. */
export function runEntryPoint(
  entry: string,
  env: Record<string, string | undefined>,
  options: { oneProcess?: boolean } = {},
): RunningProcess {
  // The tsx binary runs the script in a child node process, which a SIGKILL would orphan.
  const [command, args] = options.oneProcess
    ? [process.execPath, ['--import', 'tsx', path.join(ROOT, entry)]]
    : [TSX, [path.join(ROOT, entry)]]
  const child = spawn(command, args, {
    cwd: ROOT,
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
