import type { Client } from '@temporalio/client'
import type { Hooks } from '../../activities'
import type { Database } from '../../src/store/database'
import type { HandlerRegistry } from '../../src/worker/handlers/registry'
import type { Tracing } from '../../src/shared/tracing'
import { startTestApi, type TestApi } from './api'
import { createTestDatabase, type TestDatabase } from './database'
import { connectClient, startTestWorker, uniqueTaskQueue, type TestWorker } from './temporal'

type ApiOptions = Omit<Parameters<typeof startTestApi>[0], 'client' | 'taskQueue'>

export interface StackOptions {
  /** Names the stack's own task queue. */
  name: string
  /** A migrated PostgreSQL database of the file's own (`store`); implied by `worker`. */
  database?: boolean
  /** A real worker on the task queue, over `db` or else the stack's database. */
  worker?: boolean
  hooks?: Partial<Hooks>
  handlers?: HandlerRegistry
  tracing?: Tracing
  /** The worker's store when it is not the stack's own database (read when the stack starts). */
  db?: () => Database
  /** The app on a loopback listener, starting runs on the task queue. */
  api?: boolean | ApiOptions
  /** Another Temporal server than the shared one (read when the stack starts). */
  temporalAddress?: () => string
  /** A client made otherwise than by connectClient (with interceptors, say). */
  connect?: (address?: string) => Promise<Client>
}

export interface Stack {
  readonly taskQueue: string
  readonly client: Client
  readonly store: TestDatabase
  readonly worker: TestWorker
  readonly api: TestApi
  /** Closes `close` with the stack, before what the stack had started (a process using it, say). */
  onClose(close: () => Promise<unknown>): void
}

/**
 * The setup most test files share: a client, and as asked a database of their own, a worker and
 * the app, all on one task queue. Started in beforeAll and closed in afterAll (in reverse order,
 * each one even if another fails to close); read through the getters from within tests. A file's
 * own afterAll declared after this call runs after the stack has closed.
 */
export function useStack(options: StackOptions): Stack {
  const taskQueue = uniqueTaskQueue(options.name)
  const started: {
    client?: Client
    store?: TestDatabase
    worker?: TestWorker
    api?: TestApi
  } = {}
  const closers: Array<() => Promise<unknown>> = []

  beforeAll(async () => {
    const address = options.temporalAddress?.()
    const wantsDatabase = options.database || (options.worker && !options.db)
    const [connected, created] = await Promise.allSettled([
      (options.connect ?? connectClient)(address),
      wantsDatabase ? createTestDatabase() : undefined,
    ])
    if (created.status === 'fulfilled' && created.value) {
      const store = created.value
      started.store = store
      closers.push(() => store.drop())
    }
    if (connected.status === 'fulfilled') closers.push(() => connected.value.connection.close())
    if (connected.status === 'rejected') throw connected.reason
    if (created.status === 'rejected') throw created.reason
    const client = connected.value
    started.client = client
    if (options.worker) {
      const worker = await startTestWorker({
        db: options.db?.() ?? get('store').db,
        taskQueue,
        hooks: options.hooks,
        handlers: options.handlers,
        tracing: options.tracing,
        address,
      })
      started.worker = worker
      closers.push(() => worker.stop())
    }
    if (options.api) {
      const api = await startTestApi({
        ...(options.api === true ? {} : options.api),
        client,
        taskQueue,
      })
      started.api = api
      closers.push(() => api.close())
    }
  }, 120_000)

  afterAll(async () => {
    const failures: unknown[] = []
    for (const close of closers.reverse()) await close().catch((error) => failures.push(error))
    if (failures.length > 0) throw failures[0]
  }, 120_000)

  const get = <K extends keyof typeof started>(key: K) => {
    const value = started[key]
    if (value === undefined) {
      throw new Error(`useStack(${options.name}): no ${key} (not asked for, or not started yet)`)
    }
    return value as NonNullable<(typeof started)[K]>
  }
  return {
    taskQueue,
    get client() {
      return get('client')
    },
    get store() {
      return get('store')
    },
    get worker() {
      return get('worker')
    },
    get api() {
      return get('api')
    },
    onClose(close) {
      closers.push(close)
    },
  }
}
