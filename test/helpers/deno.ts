import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { runCommand, type RunningProcess } from './process'

const ROOT = path.resolve(__dirname, '../..')

/**
 * The Deno binary of the pinned `deno` devDependency, from its platform package: the package's
 * bin is a Node wrapper that would stand between a test and the signals it sends.
 */
export const DENO_PATH = path.join(
  path.dirname(require.resolve(`@deno/${denoTarget()}/package.json`)),
  process.platform === 'win32' ? 'deno.exe' : 'deno',
)

function denoTarget(): string {
  const target = `${process.platform}-${process.arch}`
  return process.platform === 'linux' ? `${target}-glibc` : target
}

/** A task of deno.json as arguments for DENO_PATH, so tests run exactly what the README says. */
export function denoTaskArgs(task: string): string[] {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'deno.json'), 'utf8')) as {
    tasks: Record<string, string>
  }
  const [deno, ...args] = config.tasks[task]!.split(' ')
  if (deno !== 'deno') throw new Error(`deno.json task ${task} does not start with deno`)
  return args
}

/** Runs a script under Deno with the project's deno.json; resolves to its stdout. */
export async function runDenoScript(
  script: string,
  options: { args?: string[]; permissions?: string[]; env?: Record<string, string> } = {},
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    DENO_PATH,
    [
      'run',
      '--config',
      'deno.json',
      ...(options.permissions ?? ['--allow-read']),
      script,
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DENO_NO_UPDATE_CHECK: '1',
        ...options.env,
      },
      timeout: 60_000,
    },
  )
  return stdout
}

/** A deno.json task as a process, run by the pinned Deno with exactly the environment given. */
export function runDenoTask(task: string, env: Record<string, string | undefined>): RunningProcess {
  return runCommand(DENO_PATH, denoTaskArgs(task), `deno task ${task}`, {
    DENO_NO_UPDATE_CHECK: '1',
    ...env,
  })
}
