import path from 'node:path'
import { Connection } from '@temporalio/client'
import { freePort } from '../../src/shared/listen'
import { startDevServer, type DevServer } from '../../src/temporal/dev-server'
import { setupNamespace } from '../../src/temporal/namespace'
import { TEST_NAMESPACE } from './environment'

export interface OwnTemporal {
  address: string
  /** SIGKILL of the whole server process group: no graceful shutdown. */
  kill(): Promise<void>
  /** Starts it again on the same SQLite file and port. */
  restart(): Promise<void>
  stop(): Promise<void>
}

/** A Temporal dev server of the test's own, persisted to a file under `dir`, to kill at will. */
export async function startOwnTemporal(dir: string): Promise<OwnTemporal> {
  const options = {
    cliPath: process.env.TEMPORAL_CLI_PATH,
    env: process.env,
    namespace: TEST_NAMESPACE,
    dbFile: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'temporal.log'),
    port: await freePort('127.0.0.1'),
  }
  let server: DevServer = await startDevServer(options)
  const connection = await Connection.connect({ address: server.address })
  try {
    await setupNamespace(connection, TEST_NAMESPACE, 72 * 3600_000)
  } finally {
    await connection.close()
  }
  return {
    address: server.address,
    async kill() {
      const exited = new Promise((resolve) => server.process.once('exit', resolve))
      process.kill(-server.process.pid!, 'SIGKILL')
      await exited
      await server.stop()
    },
    async restart() {
      server = await startDevServer(options)
    },
    stop: () => server.stop(),
  }
}
