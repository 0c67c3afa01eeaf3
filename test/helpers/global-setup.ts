import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Connection } from '@temporalio/client'
import { bundleWorkflowCode } from '@temporalio/worker'
import { WORKFLOW_BUNDLE_OPTIONS } from '../../src/worker/create-worker'
import { freePort } from '../../src/shared/listen'
import { startDevServer } from '../../src/temporal/dev-server'
import { setupNamespace } from '../../src/temporal/namespace'
import { TEST_NAMESPACE, type TestEnvironment } from './environment'

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scompler-webhooks-test-'))
  const [server, bundle] = await Promise.all([
    startDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH,
      env: process.env,
      namespace: TEST_NAMESPACE,
      port: await freePort('127.0.0.1'),
      logFile: path.join(dir, 'temporal.log'),
    }),
    bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietLogger }),
  ])
  ;(globalThis as { temporalServer?: unknown }).temporalServer = server
  const connection = await Connection.connect({ address: server.address })
  try {
    await setupNamespace(connection, TEST_NAMESPACE, 72 * 3600_000)
  } finally {
    await connection.close()
  }
  const bundlePath = path.join(dir, 'workflow-bundle.js')
  writeFileSync(bundlePath, bundle.code)
  const environment: TestEnvironment = {
    temporalAddress: server.address,
    bundlePath,
    tmpDir: dir,
  }
  process.env.SCOMPLER_TEST_ENV = JSON.stringify(environment)
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string) => console.error(message),
}
