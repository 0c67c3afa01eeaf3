// The Temporal SDK's logs in a test run: ERRORs on stderr, where a failing run shows them; WARN
// lines (activity retries and failures the tests cause on purpose, the core's complaints about
// polls cut short at shutdown) to temporal-sdk.log in the run's temp dir, or nowhere when the unit
// lane runs alone (it has no such dir). A setupFiles entry of the system lane, imported by the
// replay test: it installs the Runtime before any worker starts, so that a later Runtime.install
// (the test worker helper's) finds it in place and keeps it.
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import { inspect } from 'node:util'
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogEntry,
} from '@temporalio/worker'
import { testEnvironment } from './environment'

const SDK_LOG_FILE = process.env.SCOMPLER_TEST_ENV
  ? path.join(testEnvironment().tmpDir, 'temporal-sdk.log')
  : undefined

function writeEntry({ level, message, meta, timestampNanos }: LogEntry): void {
  const time = new Date(Number(timestampNanos / 1_000_000n)).toISOString()
  const details = meta ? ` ${inspect(meta, { breakLength: Infinity, depth: 4 })}` : ''
  const line = `${time} [${level}] ${message}${details}\n`
  if (level === 'ERROR') process.stderr.write(line)
  else if (SDK_LOG_FILE) appendFileSync(SDK_LOG_FILE, line)
}

Runtime.install({
  logger: new DefaultLogger('WARN', writeEntry),
  // The core's own lines go through the logger above too, instead of straight to stderr.
  telemetryOptions: {
    logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
  },
})
