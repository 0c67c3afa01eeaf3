import path from 'node:path'
import { Client } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { createActivities, type Hooks } from '../activities'
import SOURCE_DIR from './source-dir.cjs'
import type { Database } from './store/database'
import type { TokenCipher } from './token-cipher'

export interface WorkerOptions {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  db: Database
  hooks?: Partial<Hooks>
  /** Decrypts access tokens for the posting hook. */
  tokens?: TokenCipher
  /** A bundle built ahead of time (tests, images); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string
}

export const WORKFLOWS_PATH = path.join(SOURCE_DIR, '../workflows')

/** The worker for our workflows and activities; `client` shares its connection. */
export async function createWorker(
  options: WorkerOptions,
): Promise<{ worker: Worker; client: Client }> {
  const { connection, namespace, taskQueue } = options
  const client = new Client({ connection, namespace })
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities({
      db: options.db,
      client,
      hooks: options.hooks,
      tokens: options.tokens,
    }),
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    // Ctrl-C / SIGTERM: activities in flight get this long to finish before they are cancelled
    // (and retried by Temporal on another worker).
    shutdownGraceTime: '20s',
  })
  return { worker, client }
}
