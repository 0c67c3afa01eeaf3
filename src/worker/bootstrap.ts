// The one worker bootstrap, used by `npm start`, `npm run start:worker` and the tests: prepare the
// token cipher (re-encrypting stored tokens under the current key), load the handlers and hooks
// (HOOKS_MODULE), create the worker with the same createWorker as the public one
// (scompler-webhooks/worker). The caller opens the store and the connection, and closes them.
import type { NativeConnection } from '@temporalio/worker'
import type { Hooks } from '../../activities'
import type { Config } from '../config'
import type { Database } from '../store/database'
import type { TokenCipher } from '../store/token-cipher'
import { prepareTokenCipher } from '../store/tokens'
import type { Logger } from '../shared/logger'
import { createWorker, type CreatedWorker } from './create-worker'
import type { HandlerRegistry } from './handlers/registry'
import { loadHooksModule } from './hooks-module'
import type { Telemetry } from './telemetry'

export interface WorkerBootstrap {
  config: Pick<Config, 'tokenKeys' | 'hooksModule' | 'workflowBundlePath'> & {
    temporal: Pick<Config['temporal'], 'namespace' | 'taskQueue'>
  }
  connection: NativeConnection
  db: Database
  logger: Logger
  /** Handlers and hooks given directly (tests); otherwise those of HOOKS_MODULE. */
  handlers?: HandlerRegistry
  hooks?: Partial<Hooks>
  telemetry?: Partial<Pick<Telemetry, 'metrics' | 'tracing'>>
}

export async function bootstrapWorker(
  options: WorkerBootstrap,
): Promise<CreatedWorker & { tokens: TokenCipher }> {
  const { config, telemetry } = options
  const tokens = await prepareTokenCipher(options.db, config.tokenKeys, options.logger)
  const given = options.handlers || options.hooks
  const loaded = given
    ? { handlers: options.handlers, hooks: options.hooks }
    : await loadHooksModule(config.hooksModule)
  const created = await createWorker({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db: options.db,
    handlers: loaded.handlers,
    hooks: loaded.hooks,
    tokens,
    workflowBundlePath: config.workflowBundlePath,
    metrics: telemetry?.metrics,
    tracing: telemetry?.tracing,
  })
  return { ...created, tokens }
}
