import { execFileSync } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '../../src/shared/listen'

const PG_BIN = process.env.PG_BIN ?? execFileSync('pg_config', ['--bindir']).toString().trim()

export interface OwnPostgres {
  url: string
  /** Stops it the way a crash would: no checkpoint, connections cut. */
  crash(): void
  start(): void
  destroy(): void
}

function asPostgres(command: string, args: string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args], {
    stdio: 'pipe',
    timeout: 120_000,
  })
}

/** A PostgreSQL server of the test's own, in a temp dir on a free port (never the shared one). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'own-postgres-'))
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
  chownSync(dir, postgresUid, -1)
  const data = path.join(dir, 'data')
  const port = await freePort('127.0.0.1')
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-N'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', 'start'])
  const crash = () => asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
  start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash,
    start,
    destroy() {
      try {
        crash()
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
