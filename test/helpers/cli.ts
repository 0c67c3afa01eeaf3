import { spawn } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '../..')
export const CLI_BIN = path.join(ROOT, 'bin/scompler-webhooks.js')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (for `--json` runs). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read it freely
  json: <T = Record<string, any>>() => T
}

/** Runs `scompler-webhooks` (the package bin, or a built cli.js) with exactly `env`. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  entry = CLI_BIN,
): Promise<CliRun> {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) =>
    child.once('close', (code) =>
      resolve({ code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }),
    ),
  )
}
