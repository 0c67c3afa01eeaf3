import { randomBytes } from 'node:crypto'
import type { Client, WorkflowExecutionDescription } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker'
import type { Hooks } from '../../activities'
import { createLogger } from '../../src/shared/logger'
import { createClient } from '../../src/temporal/client'
import { connectTemporal } from '../../src/temporal/connect'
import { bootstrapWorker } from '../../src/worker/bootstrap'
import type { Database } from '../../src/store/database'
import type { HandlerRegistry } from '../../src/worker/handlers/registry'
import type { Tracing } from '../../src/shared/tracing'
import { TEST_NAMESPACE, testEnvironment } from './environment'
import { TEST_TOKEN_KEYS } from './tokens'

let runtimeInstalled = false
/** Worker logs at WARN and above only, so test output stays readable. */
function quietRuntime(): void {
  if (runtimeInstalled) return
  runtimeInstalled = true
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') })
  } catch {
    // Already installed by an earlier test file in this process.
  }
}

export function uniqueTaskQueue(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`
}

export async function connectClient(address = testEnvironment().temporalAddress): Promise<Client> {
  const connection = await connectTemporal({ address })
  return createClient(connection, TEST_NAMESPACE, { tracing: false })
}

export interface TestWorker {
  stop(): Promise<void>
}

/** A real worker (the prebuilt bundle) on its own task queue of the shared server. */
export async function startTestWorker(options: {
  db: Database
  taskQueue: string
  hooks?: Partial<Hooks>
  handlers?: HandlerRegistry
  /** Another server than the shared one. */
  address?: string
  tracing?: Tracing
}): Promise<TestWorker> {
  quietRuntime()
  const connection = await connectTemporal(
    { address: options.address ?? testEnvironment().temporalAddress },
    { via: (o) => NativeConnection.connect(o) },
  )
  // The same bootstrap as npm start and start:worker: tokens under TEST_TOKEN_KEYS, given hooks.
  const { worker } = await bootstrapWorker({
    config: {
      temporal: { namespace: TEST_NAMESPACE, taskQueue: options.taskQueue },
      tokenKeys: TEST_TOKEN_KEYS,
      hooksModule: undefined,
      workflowBundlePath: testEnvironment().bundlePath,
    },
    connection,
    db: options.db,
    logger: createLogger({ level: 'silent' }),
    hooks: options.hooks ?? {},
    handlers: options.handlers,
    telemetry: { metrics: undefined, tracing: options.tracing },
  })
  const running = worker.run()
  return {
    async stop() {
      worker.shutdown()
      await running
      await connection.close()
    },
  }
}

/** Waits until the run is closed, whatever its outcome, and describes it. */
export async function waitForClose(
  client: Client,
  workflowId: string,
  runId?: string,
  timeoutMs = 30_000,
): Promise<WorkflowExecutionDescription> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const description = await client.workflow.getHandle(workflowId, runId).describe()
    if (description.status.name !== 'RUNNING') return description
    if (Date.now() > deadline)
      throw new Error(`run ${workflowId} still running after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Every run of a workflow id, from visibility (eventually consistent: waits for `expected`). */
export function countRuns(client: Client, workflowId: string, expected: number): Promise<number> {
  return countMatching(client, `WorkflowId = '${workflowId}'`, expected)
}

/** Runs matching a visibility query, waiting up to `timeoutMs` for `expected` of them to show. */
export async function countMatching(
  client: Client,
  query: string,
  expected: number,
  timeoutMs = 4000,
): Promise<number> {
  let count = 0
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    count = (await client.workflow.count(query)).count
    if (count >= expected) {
      // Give visibility a moment more, so that an extra run would show.
      await new Promise((resolve) => setTimeout(resolve, 300))
      return (await client.workflow.count(query)).count
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return count
}
