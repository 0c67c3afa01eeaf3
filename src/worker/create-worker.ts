import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Client } from '@temporalio/client'
import { NativeConnection, Worker } from '@temporalio/worker'
import { createActivities, type Hooks } from '../../activities'
import SOURCE_DIR from '../source-dir.cjs'
import type { Database } from '../store/database'
import { createClient } from '../temporal/client'
import { createTokenCipher, type TokenCipher } from '../store/token-cipher'
import { tracingActivityInterceptors, tracingSinks, WORKFLOW_INTERCEPTOR_MODULES } from './tracing'
import type { Tracing } from '../shared/tracing'
import { observeActivities, type WorkerMetrics } from './metrics'
import { createHandlerActivities } from './handlers/activity'
import type { HandlerRegistry } from './handlers/registry'

export interface WorkerOptions {
  connection: NativeConnection
  namespace: string
  taskQueue: string
  db: Database
  /** The user's handlers, each run as its own activity `handle:<event type>`. */
  handlers?: HandlerRegistry
  /** The in-transaction hook: deleteRelatedData, in the uninstall's transaction. */
  hooks?: Partial<Hooks>
  /** Decrypts access tokens for handlers (when they ask). */
  tokens?: TokenCipher
  /**
   * A bundle built ahead of time (tests, images); otherwise the build's own (prebuiltWorkflowBundle),
   * else the workflows are bundled at start.
   */
  workflowBundlePath?: string
  /** Activity outcomes by name are counted here when given. */
  metrics?: WorkerMetrics
  /** Exports workflow spans when tracing is on. */
  tracing?: Tracing
}

const WORKFLOWS_PATH = path.join(SOURCE_DIR, '../workflows')

/**
 * Runs kept in the sticky cache. The SDK derives its default from the heap limit: 2,310 on a
 * 24 GB machine, but 10 under the worker's `--max-old-space-size=160` (docker-compose.yml), which
 * cut completions by a third in `npm run bench` (every task replayed its history). Our runs last
 * seconds: 250 covers the runs in flight at the throughput the bench measures.
 */
const MAX_CACHED_WORKFLOWS = 250

/** What every workflow bundle is built from, at start or ahead of time (`bundleWorkflowCode`). */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
}

/** The prebuilt bundle's file, at the build's root beside its src/ (scripts/build-dist.ts). */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js'

/**
 * The bundle the build puts beside the compiled src/ (scripts/build-dist.ts), if this code runs
 * from a build: an installed package ships it, not workflows/. From a clone there is none, and the
 * workflows are bundled from source at start.
 */
export function prebuiltWorkflowBundle(sourceDir: string = SOURCE_DIR): string | undefined {
  const bundlePath = path.join(sourceDir, '..', WORKFLOW_BUNDLE_FILE)
  return existsSync(bundlePath) ? bundlePath : undefined
}

export interface CreatedWorker {
  worker: Worker
  /** Shares the worker's connection. */
  client: Client
}

/** The worker for our workflows and activities. */
export async function createWorker(options: WorkerOptions): Promise<CreatedWorker> {
  const { connection, namespace, taskQueue, metrics } = options
  const bundlePath = options.workflowBundlePath ?? prebuiltWorkflowBundle()
  const client = createClient(connection, namespace, { tracing: options.tracing !== undefined })
  const tokens = options.tokens ?? createTokenCipher(undefined)
  const handlers = createHandlerActivities(options.handlers, options.db, tokens)
  const activities = {
    ...createActivities({
      db: options.db,
      client,
      hooks: options.hooks,
      handlerPlans: handlers.plans,
    }),
    ...handlers.activities,
  }
  const observed = metrics ? [observeActivities(metrics, new Set(Object.keys(activities)))] : []
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    interceptors: {
      activity: [tracingActivityInterceptors, ...observed],
      // A prebuilt bundle already holds them (WORKFLOW_BUNDLE_OPTIONS).
      workflowModules: bundlePath ? undefined : WORKFLOW_INTERCEPTOR_MODULES,
    },
    sinks: tracingSinks(options.tracing),
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    // Store activities heartbeat only while they wait (for an account's turn, a connection or a
    // lock); sent at once instead of every 30 s, so a cancellation reaches them within a second.
    defaultHeartbeatThrottleInterval: '1s',
    ...(bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
    // Ctrl-C / SIGTERM: activities in flight get this long to finish before they are cancelled
    // (and retried by Temporal on another worker).
    shutdownGraceTime: '20s',
  })
  return { worker, client }
}
