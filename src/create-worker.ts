import path from 'node:path'
import { NativeConnection, Worker } from '@temporalio/worker'
import type { Activities } from '../activities'

export interface WorkerOptions {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  activities: Activities
  /** A bundle built ahead of time (tests, images); otherwise the workflows are bundled at start. */
  workflowBundlePath?: string
}

export const WORKFLOWS_PATH = path.join(__dirname, '../workflows')

export function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    // Ctrl-C / SIGTERM: activities in flight get this long to finish before they are cancelled
    // (and retried by Temporal on another worker).
    shutdownGraceTime: '20s',
  })
}
