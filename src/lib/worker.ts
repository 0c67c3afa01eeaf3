// scompler-webhooks/worker: a worker that runs the receiver's workflows with the user's handlers.
import type { NativeConnection, Worker } from '@temporalio/worker'
import type { Hooks } from '../../activities'
import { DEFAULT_TASK_QUEUE } from '../domain'
import type { Store } from '../store/handle'
import { createWorker as createOurWorker } from '../worker/create-worker'
import { registeredHandlers, type HandlerRegistry } from '../worker/handlers/registry'

export { createHandlers, HANDLER_DEFAULTS } from '../worker/handlers/registry'
export type { HandlerOptions, HandlerRegistry } from '../worker/handlers/registry'
export { HandlerFailure, HandlerRegistrationError } from '../worker/handlers/errors'
export type {
  DataFor,
  Handler,
  HandlerContext,
  HandlerInstallation,
} from '../worker/handlers/types'
export type { Duration, EventResult, JsonValue, ScomplerEvent } from '../domain'
export type { Queryable } from '../store/database'
export type { RelatedDataContext } from '../../activities/hooks'
export type { Store }

export interface WorkerOptions {
  connection: NativeConnection
  /** From openStore() of scompler-webhooks/store. */
  store: Store
  handlers?: HandlerRegistry
  /**
   * Deletes the account's own rows in the uninstall transaction (short, bounded by the store's
   * timeouts; it holds the installation's row lock); returns how many rows went.
   */
  deleteRelatedData?: Hooks['deleteRelatedData']
  /** Default 'default'. */
  namespace?: string
  /** Default 'scompler-webhooks'. */
  taskQueue?: string
  /** Told which handlers the worker carries (pino, Temporal's logger or console all fit). */
  logger?: { info(message: string): void }
}

/** A Temporal Worker (not yet running: call `run()`) for the receiver's task queue. */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  const { store } = options
  const { worker } = await createOurWorker({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    db: store.db,
    tokens: store.tokens,
    handlers: options.handlers,
    hooks: options.deleteRelatedData ? { deleteRelatedData: options.deleteRelatedData } : {},
  })
  const events = [...registeredHandlers(options.handlers).keys()]
  options.logger?.info(`scompler-webhooks worker: handlers for ${events.join(', ') || 'no event'}`)
  return worker
}
