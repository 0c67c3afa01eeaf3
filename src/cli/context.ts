// What every CLI command may need, resolved once: configuration, the running `npm start` (if any)
// and a Temporal client.
import type { Client } from '@temporalio/client'
import { ConfigError, loadConfig, type Config, type Env } from '../config'
import type { RuntimeInfo } from '../admin/protocol'
import { readRuntimeInfo } from '../admin/client'
import { createClient } from '../temporal/client'
import { connectTemporal } from '../temporal/connect'
import { CliError, EXIT } from './cli-error'

export interface CliContext {
  config: Config
  env: Env
  /** Set while `npm start` runs on this DATA_DIR. */
  runtime: RuntimeInfo | undefined
  namespace: string
  temporalAddress: string
  webUiUrl: string
  json: boolean
}

export async function createContext(env: Env, json: boolean): Promise<CliContext> {
  let config: Config
  try {
    config = loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage)
    throw error
  }
  const runtime = await readRuntimeInfo(config.dataDir)
  const useRuntime = runtime !== undefined && !config.temporal.addressConfigured
  return {
    config,
    env,
    runtime,
    namespace: useRuntime ? runtime.namespace : config.temporal.namespace,
    temporalAddress: useRuntime ? runtime.temporalAddress : config.temporal.connection.address,
    webUiUrl: (!env.TEMPORAL_UI_URL && runtime?.webUiUrl) || config.temporalUiUrl,
    json,
  }
}

export async function connectCliClient(context: CliContext): Promise<Client> {
  try {
    const connection = await connectTemporal({
      ...context.config.temporal.connection,
      address: context.temporalAddress,
      connectTimeout: '5s',
    })
    return createClient(connection, context.namespace, { tracing: false })
  } catch {
    throw new CliError(
      `Temporal is unreachable at ${context.temporalAddress} (set TEMPORAL_ADDRESS, or start it with npm start)`,
      EXIT.unreachable,
    )
  }
}

/** The run's page in the Temporal Web UI. */
export function runUrl(context: CliContext, workflowId: string, runId?: string): string {
  const base = `${context.webUiUrl}/namespaces/${encodeURIComponent(context.namespace)}/workflows`
  const id = encodeURIComponent(workflowId)
  return runId ? `${base}/${id}/${encodeURIComponent(runId)}/history` : `${base}/${id}`
}
